import { temporal } from '@temporalio/proto';
import { useStrategyTestKit } from './strategyTestKit';

// The test kit on the strategies it was written for: byOutcome walking a mobile and a home
// number, with the exact call times in the subscriber's zone under time skipping.

jest.setTimeout(120_000);

const runStrategy = useStrategyTestKit();

const MOBILE = { e164: '+79140000001', kind: 'mobile' as const };
const HOME = { e164: '+74232000002', kind: 'home' as const };

const byOutcome = (params: Record<string, unknown>) => ({ name: 'byOutcome', version: 1, params });

test('byOutcome: busy, busy, no answer on the mobile, then the home number answers, at the exact local times', async () => {
  const { calls, contact, everyCallGated } = await runStrategy({
    strategy: byOutcome({ busy: { intervalSeconds: 300 }, no_answer: { retries: 0 }, intervalByKind: { mobile: 600 } }),
    numbers: [MOBILE, HOME],
    outcomes: ['busy', 'busy', 'no_answer', 'answered'],
    zone: 'Asia/Vladivostok',
  });
  expect(calls.map((c) => [c.when, c.e164, c.outcome])).toEqual([
    ['d0 10:00', MOBILE.e164, 'busy'],
    ['d0 10:10', MOBILE.e164, 'busy'], // the mobile's 10 minutes, not busy's 5
    ['d0 10:20', MOBILE.e164, 'no_answer'],
    ['d0 10:20', HOME.e164, 'answered'], // no retries after no answer: the next number at once
  ]);
  expect(calls[0].local).toMatch(/^\d{4}-\d{2}-\d{2} 10:00$/);
  expect(everyCallGated).toBe(true);
  expect(contact).toMatchObject({ state: 'done', outcome: 'answered', attempts: 4 });
});

test('a retry that falls at night waits for the calling hours, then the strategy goes on', async () => {
  const { calls, contact } = await runStrategy({
    strategy: byOutcome({ busy: { retries: 1, intervalSeconds: 1800 }, no_answer: { retries: 1, intervalSeconds: 7200 } }),
    numbers: [MOBILE, HOME],
    outcomes: ['busy', 'busy', 'no_answer', 'no_answer'],
    zone: 'Asia/Vladivostok',
    startAt: '20:15', // on a Monday
    hours: ['09:00', '21:00'],
  });
  expect(calls.map((c) => `${c.when} ${c.position} ${c.outcome}`)).toEqual([
    'd0 20:15 1 busy',
    'd0 20:45 1 busy', // 30 minutes on, still inside the hours
    'd0 20:45 2 no_answer', // busy's retry used up: the home number at once
    'd1 09:00 2 no_answer', // 22:45 is night: not lost, not dialled, but at 09:00
  ]);
  expect(contact).toMatchObject({ state: 'failed', outcome: 'no_answer', attempts: 4 });
});

test('a strategy that calls more often than the script says fails the run, naming the count', async () => {
  await expect(runStrategy({
    strategy: byOutcome({ busy: { retries: 3, intervalSeconds: 60 } }),
    numbers: [MOBILE.e164],
    outcomes: ['busy'],
    zone: 'Europe/Moscow',
  })).rejects.toThrow('the strategy placed 2 calls; the script has 1 outcomes');
});

test('bestHour: a number nobody answered at 10:00 is called again at the hour its prefix answers, that evening', async () => {
  const hours = (entries: Record<number, number>): number[] => Array.from({ length: 24 }, (_, h) => entries[h] ?? 0);
  const tried = hours(Object.fromEntries(Array.from({ length: 24 }, (_, h) => [h, 100])));
  const { calls, answerQuestions, history } = await runStrategy({
    strategy: { name: 'bestHour', version: 1, params: { explorationWeight: 0, lookbackDays: 30 } },
    numbers: [MOBILE],
    outcomes: ['no_answer', 'no_answer', 'no_answer', 'answered'],
    zone: 'Asia/Vladivostok',
    // The prefix answers 60 % at 19:00 and 10 % otherwise; 20:00 is past the hours.
    answerHistory: { prefix: { attempts: tried, answered: hours({ ...Object.fromEntries(Array.from({ length: 24 }, (_, h) => [h, 10])), 19: 60, 20: 90 }) } },
    hours: ['09:00', '20:00'],
  });
  expect(calls.map((c) => c.when)).toEqual(['d0 10:00', 'd0 19:00', 'd1 19:00', 'd2 19:00']);
  // The counts were asked before each decision, for the number, in its zone, on the workflow's clock.
  expect(answerQuestions.map((q) => [q.position, q.e164, q.zone, q.lookbackDays, q.prefixDigits])).toEqual([
    [1, MOBILE.e164, 'Asia/Vladivostok', 30, 4], [1, MOBILE.e164, 'Asia/Vladivostok', 30, 4],
    [1, MOBILE.e164, 'Asia/Vladivostok', 30, 4], [1, MOBILE.e164, 'Asia/Vladivostok', 30, 4],
  ]);
  answerQuestions.forEach((q, i) => {
    expect(q.nowMs - calls[i].atMs).toBeGreaterThanOrEqual(0);
    expect(q.nowMs - calls[i].atMs).toBeLessThan(5_000);
  });
  // The run is kept as a replay fixture (workflows/testing/histories/contact-best-hour.json was
  // written from `history` once): it must be a whole workflow's story.
  expect(history.events?.at(-1)?.eventType).toBe(temporal.api.enums.v1.EventType.EVENT_TYPE_WORKFLOW_EXECUTION_COMPLETED);
});
