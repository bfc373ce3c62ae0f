import { useStrategyTestKit } from '../../testing/strategyTestKit';

// The example strategy workflow under time skipping, with the strategy test kit: when each
// number was called, in the subscriber's clock.

jest.setTimeout(120_000);

const runStrategy = useStrategyTestKit();

const MOBILE = { e164: '+79140000001', kind: 'mobile' as const };
const HOME = { e164: '+74232000002', kind: 'home' as const };
const ZONE = 'Asia/Vladivostok';
const TEN_MINUTES = { retryIntervalSeconds: 600, maxAttemptsPerNumber: 3 };

const asCalled = (calls: { when: string; e164: string; outcome: string }[]) =>
  calls.map((c) => `${c.when} ${c.e164 === MOBILE.e164 ? 'mobile' : 'home'} ${c.outcome}`);

test('busy twice on the mobile in the morning: home is called at 18:00 the subscriber\'s time', async () => {
  const { calls, contact, everyCallGated, seen } = await runStrategy({
    workflowType: 'mobileThenHome',
    numbers: [MOBILE, HOME], outcomes: ['busy', 'busy', 'answered'], zone: ZONE, campaign: TEN_MINUTES,
  });
  expect(asCalled(calls)).toEqual(['d0 10:00 mobile busy', 'd0 10:10 mobile busy', 'd0 18:00 home answered']);
  expect(everyCallGated).toBe(true);
  // Every call has its attempt row.
  expect(seen.record.map((r) => [r.args.e164, r.args.result.outcome, r.args.numberAttempt])).toEqual([
    [MOBILE.e164, 'busy', 1], [MOBILE.e164, 'busy', 2], [HOME.e164, 'answered', 1],
  ]);
  expect(contact).toMatchObject({ state: 'done', outcome: 'answered', attempts: 3 });
});

test('busy twice when it is already evening: home at once', async () => {
  const { calls } = await runStrategy({
    workflowType: 'mobileThenHome',
    numbers: [MOBILE, HOME], outcomes: ['busy', 'busy', 'answered'], zone: ZONE, campaign: TEN_MINUTES, startAt: '19:30',
  });
  expect(asCalled(calls)).toEqual(['d0 19:30 mobile busy', 'd0 19:40 mobile busy', 'd0 19:40 home answered']);
});

test('a retry past the calling hours waits for the morning; the evening is the next day\'s', async () => {
  const { calls } = await runStrategy({
    workflowType: 'mobileThenHome',
    numbers: [MOBILE, HOME], outcomes: ['busy', 'busy', 'no_answer', 'answered'], zone: ZONE, campaign: TEN_MINUTES,
    startAt: '20:55', hours: ['09:00', '21:00'],
  });
  expect(asCalled(calls)).toEqual([
    'd0 20:55 mobile busy',
    'd1 09:00 mobile busy', // 21:05 is outside the hours
    'd1 18:00 home no_answer',
    'd1 18:10 home answered', // then home like the mobile, the campaign's interval apart
  ]);
});

test('the mobile never answers: home at once, without waiting for the evening', async () => {
  const { calls, contact } = await runStrategy({
    workflowType: 'mobileThenHome',
    numbers: [MOBILE, HOME], outcomes: ['no_answer', 'busy', 'no_answer', 'no_answer', 'no_answer', 'no_answer'], zone: ZONE, campaign: TEN_MINUTES,
  });
  expect(asCalled(calls)).toEqual([
    'd0 10:00 mobile no_answer', 'd0 10:10 mobile busy', 'd0 10:20 mobile no_answer',
    'd0 10:20 home no_answer', 'd0 10:30 home no_answer', 'd0 10:40 home no_answer',
  ]);
  expect(contact).toMatchObject({ state: 'failed', outcome: 'no_answer', attempts: 6 });
});

test('the numbers\' kinds decide which is the mobile, not their order', async () => {
  const { calls } = await runStrategy({
    workflowType: 'mobileThenHome',
    numbers: [HOME, MOBILE], outcomes: ['busy', 'busy', 'answered'], zone: ZONE, campaign: TEN_MINUTES,
  });
  expect(calls.map((c) => [c.when, c.position, c.outcome])).toEqual([
    ['d0 10:00', 2, 'busy'], ['d0 10:10', 2, 'busy'], ['d0 18:00', 1, 'answered'],
  ]);
});

test('every number refused for good, one by consent: no call, and the contact ends refused, not blacklisted', async () => {
  const { calls, contact, seen } = await runStrategy({
    workflowType: 'mobileThenHome',
    numbers: [MOBILE, HOME], outcomes: [], zone: ZONE, campaign: TEN_MINUTES,
    refused: { [MOBILE.e164]: 'blacklisted', [HOME.e164]: 'no_consent' },
  });
  expect(calls).toEqual([]);
  // Each refusal has its proof row.
  expect(seen.record.map((r) => (r.args.result.gate as { refusal: string }).refusal)).toEqual(['blacklisted', 'no_consent']);
  expect(contact).toMatchObject({ state: 'refused', attempts: 0 });
});

test('every number on the blacklist: the contact ends blacklisted', async () => {
  const { calls, contact } = await runStrategy({
    workflowType: 'mobileThenHome',
    numbers: [MOBILE, HOME], outcomes: [], zone: ZONE, campaign: TEN_MINUTES,
    refused: { [MOBILE.e164]: 'blacklisted', [HOME.e164]: 'blacklisted' },
  });
  expect(calls).toEqual([]);
  expect(contact).toMatchObject({ state: 'blacklisted', attempts: 0 });
});
