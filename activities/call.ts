import type { Pool } from 'pg';
import type { CallRequest, CallResult } from '../workflows/types';
import { evaluateGate } from './gate';
import type { CallHooks, Telephony } from './telephony/telephony';

/**
 * The "call" step. The gate is asked once more with the wall clock, right before the
 * originate, and reserves the cap slot in the same transaction: if it says no, nothing is
 * dialled and the result says why.
 */
export async function placeCheckedCall(
  deps: { pool: Pool; telephony: Telephony; clock: () => Promise<number> }, req: CallRequest, hooks: CallHooks,
): Promise<CallResult> {
  const nowMs = await deps.clock();
  const gate = await evaluateGate(deps.pool, {
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
  const report = await deps.telephony.call(
    { channelId: req.channelId, e164: req.e164, callerId: req.callerId, ringTimeoutSeconds: req.ringTimeoutSeconds, media: req.media },
    hooks,
  );
  const onGateClock = (iso: string): string => new Date(Date.parse(iso) + skew).toISOString();
  return {
    ...report,
    startedAt: onGateClock(report.startedAt),
    answeredAt: report.answeredAt && onGateClock(report.answeredAt),
    endedAt: onGateClock(report.endedAt),
    gate,
  };
}
