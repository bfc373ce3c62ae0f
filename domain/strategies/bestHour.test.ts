import type { CallingSchedule } from '../callingSchedule';
import type { CallOutcome } from '../outcomes';
import { bestHourV1, hourlyAnswerRates, type BestHourParams } from './bestHour';
import type { AnswerHistory, HourCounts, StrategyInput } from './strategy';

const ZONE = 'Europe/Moscow'; // UTC+3 all year
/** Monday 2 March 2026, 10:00 in Moscow. */
const NOW = Date.parse('2026-03-02T07:00:00Z');
const HOUR = 3_600_000;
/** A moment `days` after NOW's date at local hh:mm in Moscow. */
const local = (days: number, hh: number, mm = 0): number => Date.parse('2026-03-02T00:00:00+03:00') + days * 24 * HOUR + hh * HOUR + mm * 60_000;

const NINE_TO_NINE: CallingSchedule = {
  window: { start: '09:00', end: '21:00' }, weeklyHours: {}, startDate: null, endDate: null,
  calendar: { holidays: [], workingDays: [] }, policy: { workingDayHours: null, restDayHours: null },
};

const params = (given: Partial<BestHourParams> = {}): BestHourParams => bestHourV1.params.parse(given);

/** Counts with `attempts` calls at every hour and the given answers at some of them. */
function counts(attempts: number, answered: Record<number, number> = {}, perHour: Record<number, number> = {}): HourCounts {
  return {
    attempts: Array.from({ length: 24 }, (_, h) => perHour[h] ?? attempts),
    answered: Array.from({ length: 24 }, (_, h) => answered[h] ?? 0),
  };
}
const none = counts(0);

function input(history: AnswerHistory['number'] | Partial<Omit<AnswerHistory, 'position'>>, opts: {
  outcomes?: CallOutcome[]; schedule?: CallingSchedule | null; nowMs?: number;
} = {}): StrategyInput {
  const outcomes = opts.outcomes ?? ['no_answer'];
  const h: Omit<AnswerHistory, 'position'> = 'attempts' in history
    ? { number: none, prefix: none, campaign: history as HourCounts }
    : { number: none, prefix: none, campaign: none, ...history };
  const nowMs = opts.nowMs ?? NOW;
  return {
    numbers: [{ position: 1, kind: 'mobile', zones: [ZONE] }, { position: 2, kind: 'home', zones: [ZONE] }],
    attempts: outcomes.map((outcome, i) => ({ position: 1, outcome, atMs: nowMs - (outcomes.length - i) * HOUR })),
    nowMs,
    campaign: { maxAttemptsPerNumber: 3, retryIntervalSeconds: 3600, machineAction: 'hang_up' },
    schedule: opts.schedule === null ? undefined : (opts.schedule ?? NINE_TO_NINE),
    answerHistory: [{ position: 1, ...h }],
  };
}

const retryAt = (p: BestHourParams, i: StrategyInput): number => {
  const action = bestHourV1.next(p, i);
  if (action.kind !== 'call') throw new Error(`expected a call, got ${JSON.stringify(action)}`);
  expect(action.position).toBe(1);
  return action.notBefore;
};

describe('bestHour v1', () => {
  const quiet = params({ explorationWeight: 0 });

  it('puts the retry at the hour people answer most', () => {
    // 100 calls at every hour; at 19:00 half were answered, elsewhere one in ten.
    const campaign = counts(100, { ...Object.fromEntries(Array.from({ length: 24 }, (_, h) => [h, 10])), 19: 50 });
    expect(retryAt(quiet, input(campaign))).toBe(local(0, 19));
    // The same with the default exploration: every hour was tried often, 19:00 is far ahead.
    expect(retryAt(params(), input(campaign))).toBe(local(0, 19));
  });

  it('keeps the minimum interval: the best hour already begun today waits for tomorrow', () => {
    const campaign = counts(100, { 10: 60, 15: 20 });
    expect(retryAt(quiet, input(campaign))).toBe(local(1, 10)); // 10:00 today is now, not an hour on
    // Within the interval's last hour: the rest of that hour still counts as the hour.
    expect(retryAt(params({ explorationWeight: 0, minIntervalSeconds: 1800 }), input(campaign, { nowMs: local(0, 9, 20) }))).toBe(local(0, 9, 50) + 10 * 60_000);
  });

  it('never aims outside the allowed hours, whatever the rates there', () => {
    const campaign = counts(100, { 22: 90, 7: 80, 20: 30, 12: 20 });
    expect(retryAt(quiet, input(campaign))).toBe(local(0, 20));
    // A window that starts mid-hour: its first allowed moment stands for the hour.
    const late: CallingSchedule = { ...NINE_TO_NINE, window: { start: '20:30', end: '21:00' } };
    expect(retryAt(quiet, input(campaign, { schedule: late }))).toBe(local(0, 20, 30));
    // Without a schedule every hour is a candidate.
    expect(retryAt(quiet, input(campaign, { schedule: null }))).toBe(local(0, 22));
  });

  it('looks no further than its horizon', () => {
    const saturdays: CallingSchedule = { ...NINE_TO_NINE, weeklyHours: { 1: null, 2: null, 3: null, 4: null, 5: null, 7: null } };
    // Saturday is 5 days off: beyond 3 days there is no candidate, and the interval is what is left.
    expect(retryAt(quiet, input(counts(10), { schedule: saturdays }))).toBe(NOW + HOUR);
    expect(retryAt(params({ explorationWeight: 0, horizonDays: 7 }), input(counts(10), { schedule: saturdays }))).toBe(local(5, 9));
  });

  it('falls back to the prefix, then the campaign, when the number has no history', () => {
    const campaign = counts(200, { 12: 100 });
    const prefix = counts(40, { 18: 30 });
    // The prefix's evening outweighs the campaign's noon for a number never called.
    expect(retryAt(quiet, input({ campaign, prefix }))).toBe(local(0, 18));
    // No prefix data either: the campaign's best hour.
    expect(retryAt(quiet, input({ campaign }))).toBe(local(0, 12));
    // The number's own record, when it has one, moves it again.
    const number = counts(0, { 15: 3 }, { 15: 3, 18: 3 });
    expect(retryAt(quiet, input({ campaign, prefix, number }))).toBe(local(0, 15));
    // Nothing known at all: the first moment allowed after the interval.
    expect(retryAt(quiet, input({}))).toBe(NOW + HOUR);
  });

  it('blends the levels as Beta posteriors', () => {
    const r = hourlyAnswerRates({ position: 1, number: none, prefix: none, campaign: counts(0, { 5: 3 }, { 5: 4 }) }, 4);
    const overall = (3 + 1) / (4 + 2);
    expect(r.rate[5]).toBeCloseTo((3 + 4 * overall) / (4 + 4), 10);
    expect(r.rate[6]).toBeCloseTo(overall, 10);
    expect(hourlyAnswerRates(undefined, 4).rate).toEqual(Array(24).fill(0.5));
  });

  it('explores: hours seldom tried are tried by some contacts, hours known to be bad never', () => {
    // Every hour tried 200 times by the prefix and the campaign: 19:00 answers 40 %, the rest
    // 10 %, 15:00 5 %; 13:00 never tried, so its estimate is the campaign's 11 %, but uncertain.
    const answered = { ...Object.fromEntries(Array.from({ length: 24 }, (_, h) => [h, 20])), 19: 80, 15: 10, 13: 0 };
    const prefix = counts(200, answered, { 13: 0 });
    const campaign = prefix;
    expect(retryAt(quiet, input({ prefix, campaign }))).toBe(local(0, 19));
    // Contacts deciding on the same counts (their attempts at other moments) spread out.
    const picks = new Map<number, number>();
    for (let i = 0; i < 400; i += 1) {
      const at = retryAt(params(), input({ prefix, campaign }, { nowMs: NOW + i * 1000 }));
      const hour = new Date(at).getUTCHours() + 3;
      picks.set(hour, (picks.get(hour) ?? 0) + 1);
    }
    expect(picks.get(19)).toBeGreaterThan(300); // mostly the best hour known
    expect(picks.get(13)).toBeGreaterThan(0); // now and then the hour never tried
    expect([...picks.keys()].sort()).toEqual([13, 19]); // never an hour known to be worse
    // Once 13:00 has been tried as often as the rest and found like them, it is left alone.
    const tried = counts(200, { ...answered, 13: 20 });
    let thirteen = 0;
    for (let i = 0; i < 100; i++) if (retryAt(params(), input({ prefix: tried, campaign: tried }, { nowMs: NOW + i * 1000 })) === local(0, 13)) thirteen++;
    expect(thirteen).toBe(0);
  });

  it('retries a busy line soon, and keeps its limits', () => {
    const campaign = counts(100, { 19: 50 });
    expect(retryAt(params(), input(campaign, { outcomes: ['busy'] }))).toBe(NOW + 15 * 60_000);
    expect(bestHourV1.next(params(), input(campaign, { outcomes: ['no_answer', 'answered'] }))).toEqual({ kind: 'done' });
    expect(bestHourV1.next(params(), input(campaign, { outcomes: ['invalid_number'] }))).toEqual({ kind: 'next_number' });
    expect(bestHourV1.next(params({ maxAttemptsPerNumber: 2 }), input(campaign, { outcomes: ['no_answer', 'no_answer'] }))).toEqual({ kind: 'next_number' });
    expect(bestHourV1.next(params({ maxAttemptsPerContact: 2 }), input(campaign, { outcomes: ['no_answer', 'busy'] })))
      .toEqual({ kind: 'give_up', reason: 'contact_attempts_exhausted' });
  });

  it('decides the same every time for the same input', () => {
    const i = input(counts(10, { 14: 5 }));
    expect(bestHourV1.next(params(), i)).toEqual(bestHourV1.next(params(), i));
  });

  it('refuses parameters out of range, naming them', () => {
    const r = bestHourV1.params.safeParse({ horizonDays: 0, explorationWeight: -1, typo: 1 });
    expect(r.success).toBe(false);
    expect(r.success ? [] : r.error.issues.map((i) => i.path.join('.') || i.code).sort()).toEqual(['explorationWeight', 'horizonDays', 'unrecognized_keys']);
  });

  describe('maxContactDays', () => {
    // The contact's first attempt was an hour before NOW (Monday 09:00 Moscow): with one day,
    // its lifetime ends Tuesday 09:00.
    const oneDay = params({ explorationWeight: 0, maxContactDays: 1 });

    it('has no limit unless given, and stores nothing then', () => {
      expect('maxContactDays' in params()).toBe(false);
      // The best hour is tomorrow at 10:00 (today's 10:00 is now): without a limit it is taken.
      expect(retryAt(quiet, input(counts(100, { 10: 60 })))).toBe(local(1, 10));
    });

    it('aims at the best hour before the lifetime ends', () => {
      // Tomorrow's 10:00 is past the end: the best of today's hours instead.
      expect(retryAt(oneDay, input(counts(100, { 10: 60, 15: 20 })))).toBe(local(0, 15));
    });

    it('gives up when no allowed moment is left before the end', () => {
      const mornings: CallingSchedule = { ...NINE_TO_NINE, window: { start: '09:30', end: '10:30' } };
      // Today's hours end at 10:30, before the interval; tomorrow's begin after the lifetime ends.
      expect(bestHourV1.next(oneDay, input(counts(10), { schedule: mornings }))).toEqual({ kind: 'give_up', reason: 'contact_lifetime_exhausted' });
      // A busy line's retry (first attempt 09:20, lifetime to Tuesday 09:20), too, when the hours put it past the end.
      expect(bestHourV1.next(oneDay, input(counts(10), { schedule: mornings, outcomes: ['busy'], nowMs: local(0, 10, 20) })))
        .toEqual({ kind: 'give_up', reason: 'contact_lifetime_exhausted' });
      // Past the end nothing more is tried.
      const late = (atMs: number): StrategyInput => ({
        ...input(counts(10)), nowMs: atMs,
        attempts: [{ position: 1, outcome: 'no_answer', atMs: local(0, 9) }, { position: 1, outcome: 'invalid_number', atMs }],
      });
      expect(bestHourV1.next(oneDay, late(local(1, 9)))).toEqual({ kind: 'give_up', reason: 'contact_lifetime_exhausted' });
      expect(bestHourV1.next(oneDay, late(local(1, 9) - 1))).toEqual({ kind: 'next_number' });
    });
  });

  it('refuses a retry wait as long as its lifetime, naming it', () => {
    const r = bestHourV1.params.safeParse({ maxContactDays: 2, minIntervalSeconds: 2 * 86_400 });
    expect(r.success ? [] : r.error.issues.map((i) => i.path.join('.'))).toEqual(['minIntervalSeconds']);
    expect(bestHourV1.params.safeParse({ maxContactDays: 2, minIntervalSeconds: 2 * 86_400, maxAttemptsPerNumber: 1 }).success).toBe(true);
  });

  it('names the waits it may put before a retry, none when a number is called once', () => {
    expect(bestHourV1.retryWaits?.(params({ minIntervalSeconds: 7200 }), { maxAttemptsPerNumber: 1, retryIntervalSeconds: 1, machineAction: 'retry' })).toEqual([
      { seconds: 7200, source: { param: ['minIntervalSeconds'] } },
      { seconds: 900, source: { param: ['busyIntervalSeconds'] } },
    ]);
    expect(bestHourV1.retryWaits?.(params({ maxAttemptsPerNumber: 1 }), { maxAttemptsPerNumber: 3, retryIntervalSeconds: 1, machineAction: 'retry' })).toEqual([]);
  });
});
