import { ActivityFailure, ApplicationFailure, uuid4 } from '@temporalio/workflow';
import type { TrunkDownDetails } from '../../activities/call';
import type { CallResult, ContactPhone, GateDecision } from '../../domain/types';
import { placeCall } from './activityProxies';
import { TRUNK_DOWN_PATCH } from './patches';
import { hasPatch, type Session } from './session';

/**
 * Places the call (the call activity checks the gate once more, with the real clock and the
 * caps in one transaction, before it dials). A call the trunk did not carry is `trunkDown`;
 * a worker lost or an activity failed mid-call is a 'failed' attempt, since a call may have
 * been placed.
 */
export async function dialNumber(
  s: Session, phone: ContactPhone, seq: number, media: string[], gate: GateDecision,
): Promise<CallResult | { trunkDown: TrunkDownDetails }> {
  const { plan } = s;
  // Fixed-width channel ids: Asterisk refuses an id that is a prefix of a live one.
  const channelId = uuid4();
  const startedAt = new Date().toISOString();
  try {
    return await placeCall({
      workflowId: s.workflowId, seq, channelId, campaignId: plan.campaignId, contactId: plan.contactId,
      e164: phone.e164, callerId: plan.callerId, ringTimeoutSeconds: plan.ringTimeoutSeconds,
      media, zones: phone.zones, handling: plan.handling,
    });
  } catch (err) {
    if (!(err instanceof ActivityFailure)) throw err;
    const down = trunkDownOf(err);
    if (down && hasPatch(s, TRUNK_DOWN_PATCH)) return { trunkDown: down };
    // The worker died or the activity failed mid-call: the attempt counts (a call may have
    // been placed) and the strategy decides about a retry, with the gate in front of it.
    const now = new Date().toISOString();
    return {
      outcome: 'failed',
      gate: { ...gate, checks: [...gate.checks, { rule: 'call_activity', passed: false, detail: err.cause?.message ?? err.message }] },
      channelId, hangupCause: null, dtmf: null, listenedMs: null, startedAt, answeredAt: null, endedAt: now,
    };
  }
}

/** The trunk that did not carry a call, from the call activity's TrunkDownError; null for any other failure. */
function trunkDownOf(err: ActivityFailure): TrunkDownDetails | null {
  const cause = err.cause;
  if (!(cause instanceof ApplicationFailure) || cause.type !== 'TrunkDownError') return null;
  const d = (cause.details ?? [])[0] as Partial<TrunkDownDetails> | undefined;
  return {
    trunk: typeof d?.trunk === 'string' ? d.trunk : 'unknown',
    reason: d?.reason ?? 'unknown',
    retryAfterMs: typeof d?.retryAfterMs === 'number' ? d.retryAfterMs : 30_000,
    sipCode: typeof d?.sipCode === 'number' ? d.sipCode : null,
  };
}
