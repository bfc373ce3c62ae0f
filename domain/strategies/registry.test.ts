import { answerHistoryQuery, findStrategy, nextAction, registeredStrategies, strategyRetryWaits, strategySettingSchema, unavailableHandovers } from './registry';

const issuesOf = (input: unknown) => {
  const r = strategySettingSchema.safeParse(input);
  return r.success ? [] : r.error.issues.map((i) => ({ path: i.path.join('.'), message: i.message }));
};

describe('the strategy registry', () => {
  it('knows simple v1, byOutcome v1 and bestHour v1', () => {
    expect(registeredStrategies()).toEqual([{ name: 'simple', version: 1 }, { name: 'byOutcome', version: 1 }, { name: 'bestHour', version: 1 }]);
    expect(findStrategy('simple', 2)).toBeUndefined();
  });

  it('defaults to simple v1', () => {
    expect(strategySettingSchema.parse(undefined)).toEqual({ name: 'simple', version: 1, params: {} });
  });

  it('fills in the parameters\' defaults', () => {
    const parsed = strategySettingSchema.parse({ name: 'byOutcome', version: 1, params: { busy: { retries: 5 } } });
    expect(parsed.params).toMatchObject({ busy: { retries: 5, intervalSeconds: 3600, nextNumber: true }, maxAttemptsPerContact: 10 });
  });

  it('refuses an unknown name or version', () => {
    expect(issuesOf({ name: 'bestTime', version: 1 })).toEqual([{ path: 'name', message: 'no strategy named bestTime (known: simple, byOutcome, bestHour)' }]);
    expect(issuesOf({ name: 'byOutcome', version: 2 })).toEqual([{ path: 'version', message: 'byOutcome has no version 2 (known: 1)' }]);
  });

  it('names a parameter out of range by its path', () => {
    expect(issuesOf({ name: 'byOutcome', version: 1, params: { busy: { retries: 99 } } }))
      .toEqual([{ path: 'params.busy.retries', message: expect.stringMatching(/20/) }]);
    expect(issuesOf({ name: 'byOutcome', version: 1, params: { intervalByKind: { fax: 1 } } }).map((i) => i.path)).toEqual(['params.intervalByKind']);
    expect(issuesOf({ name: 'simple', version: 1, params: { retries: 1 } }).map((i) => i.path)).toEqual(['params']);
  });

  it('throws on a plan naming a strategy it does not know', () => {
    expect(() => nextAction({ name: 'x', version: 1, params: {} }, {} as never)).toThrow('unknown strategy x@1');
  });

  it('tells which strategies decide on the attempt rows, and what to count for them', () => {
    expect(answerHistoryQuery({ name: 'byOutcome', version: 1, params: {} })).toBeNull();
    expect(answerHistoryQuery({ name: 'bestHour', version: 1, params: { lookbackDays: 30 } })).toEqual({ lookbackDays: 30, prefixDigits: 4 });
  });

  describe('a hand-over to another channel', () => {
    const handsOver = { name: 'byOutcome', version: 1, params: { busy: { then: 'handover_sms' }, machine: { retries: 0, then: 'handover_sms' } } };

    it('is refused while the dialer has no such channel, naming each parameter that asks for it', () => {
      expect(issuesOf(handsOver)).toEqual([
        { path: 'params.busy.then', message: 'hand-over to sms is not available (no sms channel is configured)' },
        { path: 'params.machine.then', message: 'hand-over to sms is not available (no sms channel is configured)' },
      ]);
      expect(issuesOf({ name: 'byOutcome', version: 1, params: { busy: { then: 'give_up' } } })).toEqual([]);
    });

    it('is accepted once the channel exists', () => {
      const choice = { name: 'byOutcome', version: 1, params: handsOver.params };
      expect(unavailableHandovers(choice, new Set(['sms']))).toEqual([]);
      expect(unavailableHandovers(choice, new Set())).toHaveLength(2);
    });
  });

  it('names the settings each strategy\'s retry waits come from', () => {
    const campaign = { maxAttemptsPerNumber: 3, retryIntervalSeconds: 1800, machineAction: 'retry' as const };
    expect(strategyRetryWaits({ name: 'simple', version: 1, params: {} }, campaign)).toEqual([{ path: ['retryIntervalSeconds'], seconds: 1800 }]);
    expect(strategyRetryWaits({ name: 'simple', version: 1, params: {} }, { ...campaign, maxAttemptsPerNumber: 1 })).toEqual([]);
    expect(strategyRetryWaits({ name: 'byOutcome', version: 1, params: { busy: { intervalSeconds: 60 } } }, campaign))
      .toContainEqual({ path: ['strategy', 'params', 'busy', 'intervalSeconds'], seconds: 60 });
    expect(strategyRetryWaits({ name: 'bestHour', version: 1, params: {} }, campaign))
      .toEqual([{ path: ['strategy', 'params', 'minIntervalSeconds'], seconds: 3600 }, { path: ['strategy', 'params', 'busyIntervalSeconds'], seconds: 900 }]);
  });
});
