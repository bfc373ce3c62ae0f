import type { CallingSchedule } from '../callingSchedule';
import type { CallOutcome } from '../outcomes';
import { byOutcomeV1, type ByOutcomeParams } from './byOutcome';
import type { PhoneKind, StrategyInput } from './strategy';

const NOW = Date.parse('2026-03-02T10:00:00Z');
const MIN = 60_000;

const params = (given: unknown = {}): ByOutcomeParams => byOutcomeV1.params.parse(given);

function input(history: [number, CallOutcome][], opts: { kinds?: (PhoneKind | null)[]; machineAction?: 'retry' | 'hang_up' | 'leave_message' } = {}): StrategyInput {
  const kinds = opts.kinds ?? [null, null];
  return {
    numbers: kinds.map((kind, i) => ({ position: i + 1, kind })),
    attempts: history.map(([position, outcome], i) => ({ position, outcome, atMs: NOW - MIN * (history.length - i) })),
    nowMs: NOW,
    campaign: { maxAttemptsPerNumber: 1, retryIntervalSeconds: 1, machineAction: opts.machineAction ?? 'retry' },
  };
}

describe('byOutcome v1', () => {
  const p = params({
    busy: { retries: 2, intervalSeconds: 300 },
    no_answer: { retries: 1, intervalSeconds: 7200, nextNumber: false },
    machine: { retries: 0 },
  });

  it('fills every outcome with defaults', () => {
    expect(params().congestion).toEqual({ retries: 2, intervalSeconds: 3600, nextNumber: true });
    expect(params().maxAttemptsPerContact).toBe(10);
  });

  it('is done when the subscriber was reached, and moves on from an invalid number', () => {
    expect(byOutcomeV1.next(p, input([[1, 'busy'], [1, 'answered']]))).toEqual({ kind: 'done' });
    expect(byOutcomeV1.next(p, input([[1, 'operator']]))).toEqual({ kind: 'done' });
    expect(byOutcomeV1.next(p, input([[1, 'invalid_number']]))).toEqual({ kind: 'next_number' });
  });

  it('retries a busy number after its own interval, as often as it says, then moves on', () => {
    expect(byOutcomeV1.next(p, input([[1, 'busy']]))).toEqual({ kind: 'call', position: 1, notBefore: NOW + 5 * MIN });
    expect(byOutcomeV1.next(p, input([[1, 'busy'], [1, 'busy']]))).toEqual({ kind: 'call', position: 1, notBefore: NOW + 5 * MIN });
    expect(byOutcomeV1.next(p, input([[1, 'busy'], [1, 'busy'], [1, 'busy']]))).toEqual({ kind: 'next_number' });
  });

  it('counts retries per outcome and per number', () => {
    // Two busy signals on number 1 do not use up number 2's, nor no_answer's.
    expect(byOutcomeV1.next(p, input([[1, 'busy'], [1, 'busy'], [2, 'busy']]))).toEqual({ kind: 'call', position: 2, notBefore: NOW + 5 * MIN });
    expect(byOutcomeV1.next(p, input([[1, 'busy'], [1, 'busy'], [1, 'no_answer']]))).toEqual({ kind: 'call', position: 1, notBefore: NOW + 120 * MIN });
  });

  it('gives the contact up when an outcome says not to move on', () => {
    expect(byOutcomeV1.next(p, input([[1, 'no_answer'], [1, 'no_answer']]))).toEqual({ kind: 'give_up', reason: 'no_answer_retries_exhausted' });
  });

  it('lets a number kind override the interval', () => {
    const q = { ...p, intervalByKind: { mobile: 600 } };
    expect(byOutcomeV1.next(q, input([[1, 'no_answer']], { kinds: ['mobile', 'home'] }))).toEqual({ kind: 'call', position: 1, notBefore: NOW + 10 * MIN });
    expect(byOutcomeV1.next(q, input([[2, 'no_answer']], { kinds: ['mobile', 'home'] }))).toEqual({ kind: 'call', position: 2, notBefore: NOW + 120 * MIN });
  });

  it('gives up at the limit of attempts per contact', () => {
    const q = { ...p, maxAttemptsPerContact: 2 };
    expect(byOutcomeV1.next(q, input([[1, 'busy'], [2, 'busy']]))).toEqual({ kind: 'give_up', reason: 'contact_attempts_exhausted' });
    expect(byOutcomeV1.next(q, input([[1, 'busy'], [2, 'answered']]))).toEqual({ kind: 'done' });
  });

  it('treats a machine by its rule, unless the message was left on it', () => {
    expect(byOutcomeV1.next(p, input([[1, 'machine']]))).toEqual({ kind: 'next_number' });
    expect(byOutcomeV1.next(p, input([[1, 'machine']], { machineAction: 'leave_message' }))).toEqual({ kind: 'done' });
  });

  it('hands the contact over to SMS when an outcome says so, after its retries', () => {
    const q = params({ busy: { retries: 1, intervalSeconds: 300, then: 'handover_sms' } });
    expect(byOutcomeV1.next(q, input([[1, 'busy']]))).toEqual({ kind: 'call', position: 1, notBefore: NOW + 5 * MIN });
    expect(byOutcomeV1.next(q, input([[1, 'busy'], [1, 'busy']]))).toEqual({ kind: 'handover', channel: 'sms', reason: 'busy_retries_exhausted' });
    // The other outcomes keep moving on.
    expect(byOutcomeV1.next(q, input([[1, 'no_answer'], [1, 'no_answer'], [1, 'no_answer']]))).toEqual({ kind: 'next_number' });
    expect(byOutcomeV1.handoverChannels?.(q)).toEqual([{ channel: 'sms', param: ['busy', 'then'] }]);
    expect(byOutcomeV1.handoverChannels?.(p)).toEqual([]);
  });

  it('takes then for nextNumber, and keeps nextNumber as it was', () => {
    const q = params({ busy: { retries: 0, then: 'give_up' }, no_answer: { retries: 0, then: 'next_number' } });
    expect(byOutcomeV1.next(q, input([[1, 'busy']]))).toEqual({ kind: 'give_up', reason: 'busy_retries_exhausted' });
    expect(byOutcomeV1.next(q, input([[1, 'no_answer']]))).toEqual({ kind: 'next_number' });
    // Stored with a nextNumber that agrees, so the stored parameters parse back the same.
    expect(q.busy).toEqual({ retries: 0, intervalSeconds: 3600, nextNumber: false, then: 'give_up' });
    expect(params(JSON.parse(JSON.stringify(q)))).toEqual(q);
    // Without then, nothing new is stored.
    expect(params({ busy: { nextNumber: false } }).busy).toEqual({ retries: 2, intervalSeconds: 3600, nextNumber: false });
  });

  it('refuses a then that contradicts nextNumber, naming it', () => {
    const r = byOutcomeV1.params.safeParse({ busy: { nextNumber: true, then: 'give_up' }, machine: { nextNumber: false, then: 'next_number' }, failed: { then: 'sms' } });
    expect(r.success ? [] : r.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).sort()).toEqual([
      'busy.then: give_up contradicts nextNumber: true (give then alone)',
      expect.stringMatching(/^failed\.then: /),
      'machine.then: next_number contradicts nextNumber: false (give then alone)',
    ]);
  });

  describe('maxContactDays', () => {
    const DAY = 24 * 60 * MIN;
    const q = params({ busy: { retries: 5, intervalSeconds: 3600 }, maxContactDays: 2 });
    /** Attempts on number 1 at the given times, deciding at the last one. */
    const at = (times: number[], outcome: CallOutcome = 'busy', schedule?: CallingSchedule): StrategyInput => ({
      ...input([]), attempts: times.map((atMs) => ({ position: 1, outcome, atMs })), nowMs: times[times.length - 1],
      numbers: [{ position: 1, kind: null, zones: ['UTC'] }, { position: 2, kind: null, zones: ['UTC'] }],
      ...(schedule ? { schedule } : {}),
    });

    it('has no limit unless given, and stores nothing then', () => {
      expect('maxContactDays' in params()).toBe(false);
      expect(byOutcomeV1.next(params({ busy: { retries: 5 } }), at([NOW, NOW + 40 * DAY]))).toEqual({ kind: 'call', position: 1, notBefore: NOW + 40 * DAY + 60 * MIN });
    });

    it('retries within the days since the first attempt, and gives up after them', () => {
      expect(byOutcomeV1.next(q, at([NOW, NOW + DAY]))).toEqual({ kind: 'call', position: 1, notBefore: NOW + DAY + 60 * MIN });
      // A retry that would come after the end is not made.
      expect(byOutcomeV1.next(q, at([NOW, NOW + 2 * DAY - 30 * MIN]))).toEqual({ kind: 'give_up', reason: 'contact_lifetime_exhausted' });
      // Past the end nothing more is tried, not even the next number.
      expect(byOutcomeV1.next(q, at([NOW, NOW + 2 * DAY], 'invalid_number'))).toEqual({ kind: 'give_up', reason: 'contact_lifetime_exhausted' });
      expect(byOutcomeV1.next(q, at([NOW, NOW + 2 * DAY - 1], 'invalid_number'))).toEqual({ kind: 'next_number' });
      // Reaching the subscriber is done, whenever.
      expect(byOutcomeV1.next(q, at([NOW, NOW + 3 * DAY], 'answered'))).toEqual({ kind: 'done' });
    });

    it('gives up when the calling hours put the retry past the end', () => {
      // Calls 09:00-18:00 UTC; the contact's lifetime ends at NOW + 2 days = 4 March 10:00.
      const hours: CallingSchedule = {
        window: { start: '09:00', end: '18:00' }, weeklyHours: {}, startDate: null, endDate: null,
        calendar: { holidays: [], workingDays: [] }, policy: { workingDayHours: null, restDayHours: null },
      };
      // A busy at 17:30 on 3 March: the retry's hour is 18:30, after the hours; the next allowed moment is 4 March 09:00, in time.
      expect(byOutcomeV1.next(q, at([NOW, NOW + DAY + 7.5 * 60 * MIN], 'busy', hours)))
        .toEqual({ kind: 'call', position: 1, notBefore: NOW + DAY + 8.5 * 60 * MIN });
      // With hours from 11:00 the next allowed moment is 4 March 11:00, after the end.
      expect(byOutcomeV1.next(q, at([NOW, NOW + DAY + 7.5 * 60 * MIN], 'busy', { ...hours, window: { start: '11:00', end: '18:00' } })))
        .toEqual({ kind: 'give_up', reason: 'contact_lifetime_exhausted' });
    });

    it('is refused out of range', () => {
      expect(byOutcomeV1.params.safeParse({ maxContactDays: 0 }).success).toBe(false);
      expect(byOutcomeV1.params.safeParse({ maxContactDays: 1.5 }).success).toBe(false);
    });

    it('refuses a retry wait as long as the lifetime, naming it', () => {
      const r = byOutcomeV1.params.safeParse({ maxContactDays: 1, no_answer: { intervalSeconds: 86_400 }, intervalByKind: { home: 90_000 } });
      expect(r.success ? [] : r.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`)).toEqual([
        'no_answer.intervalSeconds: a retry 86400 s after a call would come after maxContactDays (1), so never',
        'intervalByKind.home: a retry 90000 s after a call would come after maxContactDays (1), so never',
      ]);
      // Shorter, or not retried, or without a lifetime: accepted.
      expect(byOutcomeV1.params.safeParse({ maxContactDays: 1, no_answer: { intervalSeconds: 86_399 } }).success).toBe(true);
      expect(byOutcomeV1.params.safeParse({ maxContactDays: 1, no_answer: { retries: 0, intervalSeconds: 86_400 } }).success).toBe(true);
      expect(byOutcomeV1.params.safeParse({ no_answer: { intervalSeconds: 86_400 } }).success).toBe(true);
    });
  });

  it('names the waits it may put before a retry, for the campaign\'s check against its hours', () => {
    const q = params({
      busy: { retries: 1, intervalSeconds: 300 }, no_answer: { retries: 1, intervalSeconds: 7200 },
      congestion: { retries: 0 }, failed: { retries: 0 }, answered_short: { retries: 0 }, machine: { retries: 0 },
      intervalByKind: { home: 900 },
    });
    expect(byOutcomeV1.retryWaits?.(q, input([]).campaign)).toEqual([
      { seconds: 300, source: { param: ['busy', 'intervalSeconds'] } },
      { seconds: 7200, source: { param: ['no_answer', 'intervalSeconds'] } },
      { seconds: 900, source: { param: ['intervalByKind', 'home'] } },
    ]);
    // A machine given the message is done, not retried.
    const machine = { ...q, machine: { ...q.machine, retries: 1, intervalSeconds: 60 } };
    expect(byOutcomeV1.retryWaits?.(machine, input([]).campaign)).toContainEqual({ seconds: 60, source: { param: ['machine', 'intervalSeconds'] } });
    expect(byOutcomeV1.retryWaits?.(machine, input([], { machineAction: 'leave_message' }).campaign)).not.toContainEqual(expect.objectContaining({ seconds: 60 }));
    // Nothing is retried: no wait at all.
    expect(byOutcomeV1.retryWaits?.({ ...q, busy: { ...q.busy, retries: 0 }, no_answer: { ...q.no_answer, retries: 0 } }, input([]).campaign)).toEqual([]);
  });
});
