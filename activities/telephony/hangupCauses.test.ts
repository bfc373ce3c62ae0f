import { outcomeForDialStatus, outcomeForUnansweredCause } from './hangupCauses';

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
