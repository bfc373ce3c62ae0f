import type { Pool } from 'pg';
import type { CallRequest, CallResult } from '../domain/types';
import { releaseChannel, renewChannel, waitForChannel } from '../adapters/postgres/channelLeases';
import { admitOriginate } from '../adapters/postgres/campaignAdmission';
import { gate as checkGate } from './gate';
import type { CallHooks, Telephony } from '../adapters/ari/telephony';
import { meterOriginate } from '../adapters/metrics/dialerMetrics';

export interface CallDeps {
  pool: Pool;
  telephony: Telephony;
  clock: () => Promise<number>;
  /** This worker's identity, the holder of its channel leases. */
  holder: string;
}

/** A channel lease lives this long without a renew: a dead worker's slot is free after it. */
const LEASE_TTL_MS = 60_000;

/**
 * The "call" step. First a channel slot (the campaign's and the trunk's limits, global across
 * workers), then the gate once more with the wall clock, reserving the cap slot in the same
 * transaction; then the originate, sent under the campaign's admission lock after reading the
 * campaign still running (adapters/postgres/campaignAdmission.ts), so no call leaves after a
 * pause has returned. If anything says no, nothing is dialled and the result says why. The slot
 * is given back after the hangup, and renewed while the call lasts.
 */
export async function call(deps: CallDeps, req: CallRequest, hooks: CallHooks): Promise<CallResult> {
  const lease = { campaignId: req.campaignId, channelId: req.channelId, holder: deps.holder, ttlMs: LEASE_TTL_MS };
  const slot = await waitForChannel(deps.pool, lease, {
    signal: hooks.signal,
    onWait: (refusal) => hooks.heartbeat(`waiting for a channel: ${refusal.reason} (${refusal.inUse}/${refusal.limit})`),
  });
  if (!slot.acquired) throw new Error(`no channel slot before the call was cancelled: ${slot.reason}`);
  const renew = setInterval(() => void renewChannel(deps.pool, req.channelId, deps.holder, LEASE_TTL_MS).catch(() => undefined), LEASE_TTL_MS / 3);
  // A call that never returns (a hung telephony) must not keep the process from exiting.
  renew.unref();
  try {
    // Asked after the slot: waiting for a channel may have taken a while.
    const nowMs = await deps.clock();
    const gate = await checkGate(deps.pool, {
      campaignId: req.campaignId, contactId: req.contactId, e164: req.e164, zones: req.zones,
      nowMs, checkWindow: true, reserve: { channelId: req.channelId },
    });
    if (!gate.allowed) {
      const now = gate.checkedAt;
      return { outcome: 'refused', gate, channelId: null, hangupCause: null, dtmf: null, listenedMs: null, startedAt: now, answeredAt: null, endedAt: now };
    }
    // The call's times are told on the gate's clock, so an attempt row never contradicts the
    // decision that allowed it (the two differ only where a test server's clock is skipped).
    const skew = nowMs - Date.now();
    const admission = await admitOriginate(deps.pool, { campaignId: req.campaignId, channelId: req.channelId }, () => meterOriginate(() =>
      deps.telephony.originate({
        channelId: req.channelId, e164: req.e164, callerId: req.callerId, ringTimeoutSeconds: req.ringTimeoutSeconds,
        media: req.media, endpointTemplate: slot.trunk?.endpointTemplate, handling: req.handling,
      }, hooks)));
    if (!admission.admitted) {
      // Paused or stopped between the gate's last check and the originate.
      const now = new Date(Date.now() + skew).toISOString();
      const stopped = admission.state === 'cancelled' || admission.state === 'completed';
      return {
        outcome: 'refused', channelId: null, hangupCause: null, dtmf: null, listenedMs: null, startedAt: now, answeredAt: null, endedAt: now,
        gate: {
          allowed: false, refusal: stopped ? 'campaign_stopped' : 'campaign_paused', checkedAt: now,
          checks: [...gate.checks, { rule: 'campaign_running_at_originate', passed: false, detail: admission.state }],
        },
      };
    }
    const report = await admission.value.follow();
    const onGateClock = (iso: string): string => new Date(Date.parse(iso) + skew).toISOString();
    return {
      ...report,
      startedAt: onGateClock(report.startedAt),
      answeredAt: report.answeredAt && onGateClock(report.answeredAt),
      endedAt: onGateClock(report.endedAt),
      gate,
    };
  } finally {
    clearInterval(renew);
    await releaseChannel(deps.pool, req.channelId);
  }
}
