import type { Pool } from 'pg';
import type { CallRequest, CallResult } from '../workflows/types';
import { evaluateGate } from './gate';
import type { CallHooks, Telephony } from './telephony/telephony';

/**
 * The "call" step. The gate is asked once more with the wall clock, right before the
 * originate: if it says no, nothing is dialled and the result says why.
 */
export async function placeCheckedCall(
  deps: { pool: Pool; telephony: Telephony }, req: CallRequest, hooks: CallHooks,
): Promise<CallResult> {
  const gate = await evaluateGate(deps.pool, {
    campaignId: req.campaignId,
    e164: req.e164,
    window: { window: req.window, timeZone: req.timeZone, nowMs: Date.now() },
  });
  if (!gate.allowed) {
    const now = new Date().toISOString();
    return { outcome: 'refused', gate, channelId: null, hangupCause: null, dtmf: null, listenedMs: null, startedAt: now, answeredAt: null, endedAt: now };
  }
  const report = await deps.telephony.call(
    { channelId: req.channelId, e164: req.e164, callerId: req.callerId, ringTimeoutSeconds: req.ringTimeoutSeconds, media: req.media },
    hooks,
  );
  return { ...report, gate };
}
