import type { CallOutcome } from '../../domain/outcomes';

// How a call that was never answered ended, read from what Asterisk says: the SIP response of
// the trunk (ARI's tech_cause on ChannelHangupRequest / ChannelDestroyed of a PJSIP channel), the
// Q.850 cause, and the Dial status. One table, documented with the trunk's view beside the
// product's in docs/outcomes.md.

type CallEnd = Exclude<CallOutcome, 'refused'>;

/**
 * What the end of an unanswered call says. Most ends are the subscriber's (an outcome, an
 * attempt that counts); a few are the carrier refusing us (403, a failed authentication): no
 * subscriber was asked, so the call is not charged to the contact (TrunkDownError, reason
 * 'refused').
 */
export type UnansweredVerdict = { kind: 'outcome'; outcome: CallEnd } | { kind: 'trunk_refused'; sipCode: number };

// SIP final responses (RFC 3261 §21; 603 and 607/608 RFC 8197/8688) as a carrier sends them.
// Asterisk turns both 603 and 403 into cause 21 (CALL_REJECTED): only the SIP code tells a
// person declining from the carrier refusing us.
const SIP_VERDICTS: ReadonlyMap<number, CallEnd | 'trunk_refused'> = new Map<number, CallEnd | 'trunk_refused'>([
  [401, 'trunk_refused'],   // Unauthorized: our credentials failed after the challenge
  [403, 'trunk_refused'],   // Forbidden: the carrier refuses us (account, caller ID, route)
  [407, 'trunk_refused'],   // Proxy Authentication Required, not satisfied
  [404, 'invalid_number'],  // Not Found
  [410, 'invalid_number'],  // Gone: the number was given up
  [484, 'invalid_number'],  // Address Incomplete
  [485, 'invalid_number'],  // Ambiguous
  [604, 'invalid_number'],  // Does Not Exist Anywhere
  [486, 'busy'],            // Busy Here
  [600, 'busy'],            // Busy Everywhere
  [603, 'declined'],        // Decline: the subscriber rejected the call
  [607, 'declined'],        // Unwanted: the subscriber marked the call unwanted
  [408, 'no_answer'],       // Request Timeout: nobody answered in the carrier's time
  [480, 'no_answer'],       // Temporarily Unavailable: switched off, out of coverage
  [487, 'no_answer'],       // Request Terminated: our CANCEL after the ring time
  [500, 'congestion'],      // Server Internal Error
  [502, 'congestion'],      // Bad Gateway
  [503, 'congestion'],      // Service Unavailable
  [504, 'congestion'],      // Server Time-out
]);

// ISDN / Q.850 cause codes, as Asterisk reports them in ChannelDestroyed.cause for a call that
// ended before it was answered. Names as in Asterisk's include/asterisk/causes.h.
const CAUSE_OUTCOMES: ReadonlyMap<number, CallEnd> = new Map<number, CallEnd>([
  [1, 'invalid_number'],   // UNALLOCATED: no such number
  [3, 'invalid_number'],   // NO_ROUTE_DESTINATION
  [22, 'invalid_number'],  // NUMBER_CHANGED
  [28, 'invalid_number'],  // INVALID_NUMBER_FORMAT
  [17, 'busy'],            // USER_BUSY
  [18, 'no_answer'],       // NO_USER_RESPONSE
  [19, 'no_answer'],       // NO_ANSWER: alerted, nobody picked up
  [20, 'no_answer'],       // SUBSCRIBER_ABSENT: a mobile switched off or out of coverage
  [34, 'congestion'],      // CONGESTION: circuit/channel congestion
  [38, 'congestion'],      // NETWORK_OUT_OF_ORDER
  [41, 'congestion'],      // NORMAL_TEMPORARY_FAILURE
  [42, 'congestion'],      // SWITCH_CONGESTION
  [44, 'congestion'],      // REQUESTED_CHAN_UNAVAIL
  [47, 'congestion'],      // RESOURCE_UNAVAILABLE_UNSPECIFIED
  [21, 'failed'],          // CALL_REJECTED: without a SIP code nobody can tell who rejected
  [27, 'failed'],          // DESTINATION_OUT_OF_ORDER
]);

/** The outcome of a call that never reached StasisStart, from its hangup cause. */
export function outcomeForUnansweredCause(cause: number | null | undefined): CallEnd {
  if (cause == null) return 'failed';
  return CAUSE_OUTCOMES.get(cause) ?? 'failed';
}

/** The verdict a SIP final response gives by itself; null when the table does not know it. */
function verdictForSipResponse(code: number | null | undefined): UnansweredVerdict | null {
  if (code == null) return null;
  const v = SIP_VERDICTS.get(code);
  if (v === undefined) return null;
  return v === 'trunk_refused' ? { kind: 'trunk_refused', sipCode: code } : { kind: 'outcome', outcome: v };
}

// Through a Local channel the cause sits on the ;2 half and the originated ;1 half carries
// cause 0, while the Dial event's dialstatus is reliable (seen on Asterisk 22.10.1, docs/architecture.md):
// read the dial status first, the cause second.
const DIAL_STATUS_OUTCOMES: Readonly<Record<string, CallEnd>> = {
  BUSY: 'busy',
  NOANSWER: 'no_answer',
  CONGESTION: 'congestion',
  CHANUNAVAIL: 'failed',
  INVALIDARGS: 'failed',
  CANCEL: 'no_answer',
};

export function outcomeForDialStatus(dialStatus: string | null | undefined): CallEnd | null {
  if (!dialStatus) return null;
  return DIAL_STATUS_OUTCOMES[dialStatus.toUpperCase()] ?? null;
}

/**
 * The outcome of a call that ended before StasisStart, from its Q.850 causes and Dial status.
 * A real cause wins (unallocated comes as ChannelHangupRequest cause 1 with Dial NOANSWER);
 * when the cause is 0, as on the originated half of a Local channel for busy and congestion
 * (seen on Asterisk 22.10.1), the Dial event's status says what happened.
 */
export function outcomeForUnansweredCall(
  destroyedCause: number | null | undefined, hangupRequestCause: number | null | undefined, dialStatus: string | null | undefined,
): CallEnd {
  for (const cause of [destroyedCause, hangupRequestCause]) {
    if (cause != null && cause !== 0 && cause !== 16) return outcomeForUnansweredCause(cause);
  }
  return outcomeForDialStatus(dialStatus) ?? outcomeForUnansweredCause(destroyedCause);
}

/**
 * Everything Asterisk said about an unanswered call, SIP first: the carrier's own response is
 * more precise than the Q.850 cause Asterisk derives from it (603 and 403 are both cause 21).
 * A SIP code the table does not know falls back to the causes.
 */
export function verdictForUnansweredCall(facts: {
  sipCode: number | null | undefined;
  destroyedCause: number | null | undefined;
  hangupRequestCause: number | null | undefined;
  dialStatus: string | null | undefined;
}): UnansweredVerdict {
  return verdictForSipResponse(facts.sipCode)
    ?? { kind: 'outcome', outcome: outcomeForUnansweredCall(facts.destroyedCause, facts.hangupRequestCause, facts.dialStatus) };
}

/**
 * The cause recorded for an answered call. A subscriber who hangs up ends the call with cause
 * 16 (normal clearing) through a Local channel, but with 0 on a real trunk, whose BYE carries
 * no Reason header (seen with Asterisk 22.10.1 and a SIP carrier): both are normal clearing,
 * and are recorded as 16 so reports do not show an "unknown" end.
 */
export function causeOfAnsweredCall(cause: number | null | undefined): number | null {
  if (cause == null) return null;
  return cause === 0 ? 16 : cause;
}
