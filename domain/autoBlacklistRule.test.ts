import { DEFAULT_AUTO_BLACKLIST_RULE, autoBlacklistRuleSchema, judgeBreaker, provedInvalid, resultMayBlacklist } from './autoBlacklistRule';

describe('the automatic blacklisting rule of a trunk', () => {
  it('defaults: one result, any cause, the breaker on', () => {
    expect(DEFAULT_AUTO_BLACKLIST_RULE).toMatchObject({ after: 'one_result', causes: null, breaker: { factor: 5, minInvalid: 10 } });
    expect(provedInvalid(DEFAULT_AUTO_BLACKLIST_RULE, 0)).toBe(true);
  });

  it('two results on different days', () => {
    const rule = autoBlacklistRuleSchema.parse({ after: 'two_days' });
    expect(provedInvalid(rule, 0)).toBe(false);
    expect(provedInvalid(rule, 1)).toBe(true);
  });

  it('a list of causes: a SIP code or a Q.850 cause of the list', () => {
    const rule = autoBlacklistRuleSchema.parse({ causes: [410, 604, 1] });
    expect(resultMayBlacklist(rule, { sipCode: 404, cause: 1 })).toBe(true); // cause 1 is listed
    expect(resultMayBlacklist(rule, { sipCode: 484, cause: 28 })).toBe(false);
    expect(resultMayBlacklist(rule, { sipCode: 410, cause: 22 })).toBe(true);
    expect(resultMayBlacklist(autoBlacklistRuleSchema.parse({ causes: [604] }), { sipCode: 404, cause: 1 })).toBe(false);
  });

  it('refuses unknown keys and bad values, naming them', () => {
    expect(autoBlacklistRuleSchema.safeParse({ after: 'twice' }).success).toBe(false);
    expect(autoBlacklistRuleSchema.safeParse({ causes: [700] }).success).toBe(false);
    expect(autoBlacklistRuleSchema.safeParse({ breaker: { factor: 0.5 } }).success).toBe(false);
    expect(autoBlacklistRuleSchema.safeParse({ extra: 1 }).success).toBe(false);
  });
});

describe('the breaker', () => {
  const s = DEFAULT_AUTO_BLACKLIST_RULE.breaker;
  it('stays closed at the usual rate', () => {
    expect(judgeBreaker(s, { calls: 200, invalid: 8 }, { calls: 5000, invalid: 200 }).open).toBe(false);
  });
  it('opens when the rate jumps far above the usual one', () => {
    const v = judgeBreaker(s, { calls: 60, invalid: 40 }, { calls: 5000, invalid: 200 });
    expect(v).toMatchObject({ open: true, rateUsual: 0.04, threshold: 0.2 });
  });
  it('needs a few invalid results before it can open', () => {
    expect(judgeBreaker(s, { calls: 5, invalid: 5 }, { calls: 5000, invalid: 200 }).open).toBe(false);
  });
  it('a trunk with a high usual rate needs a higher jump', () => {
    expect(judgeBreaker(s, { calls: 100, invalid: 40 }, { calls: 5000, invalid: 500 }).open).toBe(false); // 40 % < 5 × 10 %
    expect(judgeBreaker(s, { calls: 100, invalid: 60 }, { calls: 5000, invalid: 500 }).open).toBe(true);
  });
  it('without history: only a rate of invalid results at or above half the calls opens it', () => {
    expect(judgeBreaker(s, { calls: 100, invalid: 30 }, { calls: 10, invalid: 0 })).toMatchObject({ open: false, rateUsual: null });
    expect(judgeBreaker(s, { calls: 30, invalid: 20 }, { calls: 0, invalid: 0 }).open).toBe(true);
  });
});
