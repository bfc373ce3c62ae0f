import { outcomeForDialStatus, outcomeForUnansweredCall, outcomeForUnansweredCause } from './hangupCauses';

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
