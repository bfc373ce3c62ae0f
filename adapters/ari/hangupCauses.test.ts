import {
  causeOfAnsweredCall, outcomeForDialStatus, outcomeForUnansweredCall, outcomeForUnansweredCause, verdictForUnansweredCall,
} from './hangupCauses';

describe('outcomeForUnansweredCause', () => {
  it.each([
    [1, 'invalid_number'], [3, 'invalid_number'], [22, 'invalid_number'], [28, 'invalid_number'],
    [17, 'busy'], [18, 'no_answer'], [19, 'no_answer'], [20, 'no_answer'],
    [34, 'congestion'], [38, 'congestion'], [41, 'congestion'], [42, 'congestion'], [44, 'congestion'], [47, 'congestion'],
    [21, 'failed'], [27, 'failed'], [16, 'failed'], [0, 'failed'], [127, 'failed'], [null, 'failed'],
  ])('cause %s → %s', (cause, outcome) => {
    expect(outcomeForUnansweredCause(cause)).toBe(outcome);
  });
});

describe('outcomeForDialStatus', () => {
  it.each([
    ['BUSY', 'busy'], ['NOANSWER', 'no_answer'], ['CONGESTION', 'congestion'], ['CHANUNAVAIL', 'failed'],
    ['busy', 'busy'], ['ANSWER', null], ['', null], [null, null],
  ])('%s → %s', (status, outcome) => {
    expect(outcomeForDialStatus(status)).toBe(outcome);
  });
});

describe('outcomeForUnansweredCall (what Asterisk 22 sends through a Local channel)', () => {
  it.each([
    ['busy: Dial BUSY, cause 0', 0, null, 'BUSY', 'busy'],
    ['congestion: Dial CONGESTION, cause 0', 0, null, 'CONGESTION', 'congestion'],
    ['unallocated: hangup request 1, Dial NOANSWER, destroyed 1', 1, 1, 'NOANSWER', 'invalid_number'],
    ['unallocated seen only in the hangup request', 0, 1, 'NOANSWER', 'invalid_number'],
    ['no answer: destroyed 19 after RINGING', 19, null, 'RINGING', 'no_answer'],
    ['a trunk that gives the cause itself: busy 17', 17, null, null, 'busy'],
    ['nothing known', 0, null, null, 'failed'],
  ])('%s', (_label, destroyed, request, dial, outcome) => {
    expect(outcomeForUnansweredCall(destroyed as number, request as number | null, dial as string | null)).toBe(outcome);
  });
});

describe('verdictForUnansweredCall (a PJSIP trunk: the SIP response first)', () => {
  // The SIP codes and Q.850 causes as Asterisk 22.10.1 reported them for SIPp's answers
  // (tech_cause / cause of ChannelDestroyed; test/trunk/carrierOutcomes.test.ts).
  it.each([
    [486, 17, 'busy'], [600, 17, 'busy'],
    [404, 1, 'invalid_number'], [484, 28, 'invalid_number'], [410, 22, 'invalid_number'], [604, 1, 'invalid_number'],
    [480, 19, 'no_answer'], [408, 18, 'no_answer'],
    [503, 34, 'congestion'], [500, 38, 'congestion'], [502, 27, 'congestion'],
    [603, 21, 'declined'],
  ])('SIP %s (cause %s) → %s', (sip, cause, outcome) => {
    expect(verdictForUnansweredCall({ sipCode: sip, destroyedCause: cause, hangupRequestCause: cause, dialStatus: 'NOANSWER' }))
      .toEqual({ kind: 'outcome', outcome });
  });

  it.each([403, 401, 407])('SIP %s is the carrier refusing us, not the subscriber', (sip) => {
    expect(verdictForUnansweredCall({ sipCode: sip, destroyedCause: 21, hangupRequestCause: 21, dialStatus: 'NOANSWER' }))
      .toEqual({ kind: 'trunk_refused', sipCode: sip });
  });

  it('603 and 403 share cause 21 and part on the SIP code', () => {
    const facts = { destroyedCause: 21, hangupRequestCause: 21, dialStatus: 'NOANSWER' };
    expect(verdictForUnansweredCall({ ...facts, sipCode: 603 })).toEqual({ kind: 'outcome', outcome: 'declined' });
    expect(verdictForUnansweredCall({ ...facts, sipCode: 403 })).toEqual({ kind: 'trunk_refused', sipCode: 403 });
    expect(verdictForUnansweredCall({ ...facts, sipCode: null })).toEqual({ kind: 'outcome', outcome: 'failed' });
  });

  it('a SIP code the table does not know falls back to the causes', () => {
    expect(verdictForUnansweredCall({ sipCode: 499, destroyedCause: 17, hangupRequestCause: null, dialStatus: null }))
      .toEqual({ kind: 'outcome', outcome: 'busy' });
  });

  it('no SIP code (a Local channel): the causes and the Dial status, as before', () => {
    expect(verdictForUnansweredCall({ sipCode: undefined, destroyedCause: 0, hangupRequestCause: null, dialStatus: 'BUSY' }))
      .toEqual({ kind: 'outcome', outcome: 'busy' });
  });
});

describe('causeOfAnsweredCall', () => {
  it.each([[0, 16], [16, 16], [17, 17], [null, null]])('%s → %s', (cause, recorded) => {
    expect(causeOfAnsweredCall(cause)).toBe(recorded);
  });
});
