import { answerHistoryQuery, findStrategy, nextAction, registeredStrategies, strategySettingSchema } from './registry';

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
});
