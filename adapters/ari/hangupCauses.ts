import type { CallOutcome } from '../../domain/outcomes';

type CallEnd = Exclude<CallOutcome, 'refused'>;

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
  [21, 'failed'],          // CALL_REJECTED
  [27, 'failed'],          // DESTINATION_OUT_OF_ORDER
]);

/** The outcome of a call that never reached StasisStart, from its hangup cause. */
export function outcomeForUnansweredCause(cause: number | null | undefined): CallEnd {
  if (cause == null) return 'failed';
  return CAUSE_OUTCOMES.get(cause) ?? 'failed';
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
 * The outcome of a call that ended before StasisStart, from everything Asterisk said about it.
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
