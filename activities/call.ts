import { ApplicationFailure } from '@temporalio/common';
import type { Pool } from 'pg';
import type { CallRequest, CallResult } from '../domain/types';
import { releaseChannel, renewChannel, waitForChannel, type TrunkSettings } from '../adapters/postgres/channelLeases';
import { pickPoolCallerId } from '../adapters/postgres/callerIdPools';
import { admitOriginate } from '../adapters/postgres/campaignAdmission';
import { gateForCall } from './gate';
import { TrunkDownError, type CallHooks, type Telephony } from '../adapters/ari/telephony';
import { meterOriginate } from '../adapters/metrics/dialerMetrics';
import { releaseCapSlot } from '../adapters/postgres/caps';
import { setContactWait } from '../adapters/postgres/waits';
import { countTrunkCall } from '../adapters/postgres/autoBlacklist';
import { inTransaction } from '../adapters/postgres/transaction';
import { recordingName } from '../adapters/ari/callRecording';
import { keepRecording } from './recordings';

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
 * transaction; then the caller ID (the campaign's pool, the trunk's or its own: callerIdFor); then
 * the originate, sent under the campaign's admission lock after reading the campaign still
 * running (adapters/postgres/campaignAdmission.ts), so no call leaves after a pause has returned.
 * If anything says no, nothing is dialled and the result says why. The slot is given back after
 * the hangup, and renewed while the call lasts.
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
    // A trunk known to be down is not dialled, and nothing is reserved for the call.
    await deps.telephony.ensureTrunkUp?.(slot.trunk?.endpointTemplate);
    // Asked after the slot: waiting for a channel may have taken a while.
    const nowMs = await deps.clock();
    const { decision: gate, records, callerIdPool } = await gateForCall(deps.pool, {
      campaignId: req.campaignId, contactId: req.contactId, e164: req.e164, zones: req.zones,
      nowMs, checkWindow: true, reserve: { channelId: req.channelId },
    });
    if (!gate.allowed) {
      const now = gate.checkedAt;
      return { outcome: 'refused', gate, channelId: null, hangupCause: null, dtmf: null, listenedMs: null, startedAt: now, answeredAt: null, endedAt: now };
    }
    const recordAs = records ? recordingName(req.workflowId, req.seq) : undefined;
    // The call's times are told on the gate's clock, so an attempt row never contradicts the
    // decision that allowed it (the two differ only where a test server's clock is skipped).
    const skew = nowMs - Date.now();
    const callerId = await callerIdFor(deps, req, slot.trunk, callerIdPool);
    const admission = await admitOriginate(deps.pool, { campaignId: req.campaignId, channelId: req.channelId }, () => meterOriginate(() =>
      deps.telephony.originate({
        channelId: req.channelId, e164: req.e164, callerId, ringTimeoutSeconds: req.ringTimeoutSeconds,
        media: req.media, endpointTemplate: slot.trunk?.endpointTemplate, handling: req.handling, recordAs,
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
    const { recording, ...report } = await admission.value.follow();
    if (recording) await keepRecording(deps.pool, req, recording);
    // Every call a trunk carried counts toward its rate of invalid results (the breaker of its
    // automatic blacklisting, adapters/postgres/autoBlacklist.ts); a lost count is no reason to fail the call.
    await countTrunkCall(deps.pool, slot.trunk?.name ?? null, Date.now() + skew).catch(() => undefined);
    const onGateClock = (iso: string): string => new Date(Date.parse(iso) + skew).toISOString();
    return {
      ...report,
      startedAt: onGateClock(report.startedAt),
      answeredAt: report.answeredAt && onGateClock(report.answeredAt),
      endedAt: onGateClock(report.endedAt),
      gate,
      callerId,
    };
  } catch (err) {
    if (err instanceof TrunkDownError) throw await trunkWasDown(deps, req, err);
    throw err;
  } finally {
    clearInterval(renew);
    await releaseChannel(deps.pool, req.channelId);
  }
}

/**
 * The number the call presents (docs/callerId.md): one of the campaign's pool when it dials from
 * one (as the gate's last check read it), else the trunk's registered number, else the
 * campaign's own callerId. Picked after the gate allowed the call, so a refused call takes no
 * turn of the pool's rotation.
 */
async function callerIdFor(deps: CallDeps, req: CallRequest, trunk: TrunkSettings | null, pool: string | null): Promise<string> {
  const picked = pool === null ? null : await pickPoolCallerId(deps.pool, req.campaignId, req.e164);
  return picked?.e164 ?? trunk?.callerId ?? req.callerId;
}

/** What the workflow reads from a TrunkDownError (ApplicationFailure details[0]). */
export interface TrunkDownDetails {
  trunk: string;
  reason: TrunkDownError['reason'];
  retryAfterMs: number;
  sipCode: number | null;
}

/**
 * The trunk did not carry the call (down before it, no channel for it, or the carrier refused
 * it): no attempt. The cap slot the gate reserved is given back and the contact is shown
 * waiting for the trunk; the failure, typed TrunkDownError and not retried by Temporal, tells
 * the workflow to wait and ask again without recording anything.
 */
async function trunkWasDown(deps: CallDeps, req: CallRequest, err: TrunkDownError): Promise<ApplicationFailure> {
  const atMs = await deps.clock();
  await inTransaction(deps.pool, async (db) => {
    await releaseCapSlot(db, req.channelId);
    await setContactWait(db, {
      reason: 'trunk_down', detail: `${err.trunk}: ${err.reason}`, until: new Date(atMs + err.retryAfterMs).toISOString(),
      contactId: req.contactId, campaignId: req.campaignId, atMs,
    });
  });
  const details: TrunkDownDetails = { trunk: err.trunk, reason: err.reason, retryAfterMs: err.retryAfterMs, sipCode: err.sipCode };
  return ApplicationFailure.create({ type: 'TrunkDownError', message: err.message, nonRetryable: true, details: [details], cause: err });
}
