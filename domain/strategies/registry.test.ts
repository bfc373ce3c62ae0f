import { findStrategy, nextAction, registeredStrategies, strategySettingSchema } from './registry';

const issuesOf = (input: unknown) => {
  const r = strategySettingSchema.safeParse(input);
  return r.success ? [] : r.error.issues.map((i) => ({ path: i.path.join('.'), message: i.message }));
};

describe('the strategy registry', () => {
  it('knows simple v1 and byOutcome v1', () => {
    expect(registeredStrategies()).toEqual([{ name: 'simple', version: 1 }, { name: 'byOutcome', version: 1 }]);
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
    expect(issuesOf({ name: 'bestHour', version: 1 })).toEqual([{ path: 'name', message: 'no strategy named bestHour (known: simple, byOutcome)' }]);
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
});
