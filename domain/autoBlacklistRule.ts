import { z } from 'zod';

// When an invalid-number result puts a number on the blacklist by itself, per trunk. Some
// carriers answer 404 or 484 for their own routing faults, so a trunk may want two results on
// different days, or only some causes; and a trunk whose rate of invalid results jumps far above
// its usual rate (a carrier's bad hour) stops adding altogether until the rate falls back
// (docs/outcomes.md). Kept in trunk.auto_blacklist; absent keys take these defaults.

const breaker = z.object({
  windowMinutes: z.number().int('must be a whole number').min(5).max(24 * 60).default(60)
    .describe('The recent window whose rate of invalid results is judged.'),
  usualDays: z.number().int('must be a whole number').min(1).max(90).default(7)
    .describe('The days before the window that make the usual rate.'),
  factor: z.number().min(1).max(1000).default(5)
    .describe('Suspend when the recent rate is this many times the usual rate (and above minRate).'),
  minRate: z.number().min(0).max(1).default(0.2)
    .describe('Never suspend below this recent rate of invalid results per call.'),
  rateWithoutHistory: z.number().min(0).max(1).default(0.5)
    .describe('The recent rate that suspends a trunk with too few calls to know its usual rate.'),
  minInvalid: z.number().int('must be a whole number').min(1).default(10)
    .describe('Invalid results in the window before the breaker may open at all.'),
  minUsualCalls: z.number().int('must be a whole number').min(1).default(200)
    .describe('Calls in the usual days needed to trust the usual rate.'),
}).strict();

export const autoBlacklistRuleSchema = z.object({
  after: z.enum(['one_result', 'two_days']).default('one_result')
    .describe('one_result: the first invalid result adds the number; two_days: results on two different days are needed.'),
  causes: z.array(z.number().int('must be a whole number').min(1).max(699)).nullable().default(null)
    .describe('The results that may add a number: SIP responses (100-699) and Q.850 causes (1-99); null: every invalid-number result.'),
  breaker: breaker.default({}),
}).strict();

export type AutoBlacklistRule = z.output<typeof autoBlacklistRuleSchema>;
export type BreakerSettings = AutoBlacklistRule['breaker'];

export const DEFAULT_AUTO_BLACKLIST_RULE: AutoBlacklistRule = autoBlacklistRuleSchema.parse({});

/** Whether this result is one of the causes the trunk lets blacklist (its SIP code or its Q.850 cause). */
export function resultMayBlacklist(rule: AutoBlacklistRule, result: { sipCode: number | null; cause: number | null }): boolean {
  if (rule.causes === null) return true;
  return (result.sipCode !== null && rule.causes.includes(result.sipCode))
    || (result.cause !== null && rule.causes.includes(result.cause));
}

/** Whether the results so far prove the number invalid: `otherDays` holds invalid results on days other than this one's. */
export function provedInvalid(rule: AutoBlacklistRule, otherDays: number): boolean {
  return rule.after === 'one_result' || otherDays >= 1;
}

export interface RateWindow {
  calls: number;
  invalid: number;
}

export interface BreakerVerdict {
  open: boolean;
  rateNow: number;
  /** null: too few calls to know the trunk's usual rate. */
  rateUsual: number | null;
  /** The recent rate at or above which the breaker opens. */
  threshold: number;
}

/**
 * The circuit breaker of a trunk's automatic blacklisting: open (no number is added) while the
 * recent rate of invalid results is far above the trunk's usual rate.
 */
export function judgeBreaker(s: BreakerSettings, recent: RateWindow, usual: RateWindow): BreakerVerdict {
  const rateNow = recent.calls > 0 ? Math.min(1, recent.invalid / recent.calls) : 0;
  const rateUsual = usual.calls >= s.minUsualCalls ? usual.invalid / usual.calls : null;
  const threshold = rateUsual === null ? s.rateWithoutHistory : Math.max(s.minRate, s.factor * rateUsual);
  return { open: recent.invalid >= s.minInvalid && rateNow >= threshold, rateNow, rateUsual, threshold };
}
