import { amdVerdict, listenedEnough } from './answeredCall';

describe('amdVerdict', () => {
  it.each([['MACHINE', 'machine'], ['HUMAN', 'human'], ['NOTSURE', 'human'], ['HANGUP', 'gone'], [undefined, 'human']] as const)(
    '%s → %s', (status, verdict) => expect(amdVerdict(status)).toBe(verdict));
});

describe('listenedEnough', () => {
  it.each([
    [true, 500, null, true], [false, 60_000, null, false], [false, 9_999, 10, false], [false, 10_000, 10, true], [true, 0, 10, true],
  ] as const)('to the end %s, %i ms, minimum %s s → %s', (end, ms, min, enough) => expect(listenedEnough(end, ms, min)).toBe(enough));
});
