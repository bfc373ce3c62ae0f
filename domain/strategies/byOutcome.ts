import { z } from 'zod';
import type { CallOutcome } from '../outcomes';
import type { RetryStrategy } from '../types';
import {
  DAY_SECONDS, PHONE_KINDS, REACHED, attemptsOn, builtOnFirstUse, callableBefore, lastAttempt, lifetimeEndMs, maxContactDays, refuseWaitsBeyondLifetime, wholeNumber,
  type HandoverOption, type RetryWait, type Strategy,
} from './strategy';

// byOutcome v1: a busy line is worth another try in minutes, a phone nobody answers in hours,
// a machine perhaps never. Per outcome: how many retries of the same number, after how long,
// and what then: the next number, give the contact up, or hand it over to SMS; per number
// kind an interval that overrides the outcome's; a limit of attempts per contact and on the
// contact's lifetime.
//
// `then` and `maxContactDays` came after contacts had decided with v1. Both are optional and,
// left out, change nothing (`nextNumber` says what it always said, no lifetime limit), and
// stored parameters keep their shape: campaigns that do not use them decide exactly as
// before, so this is still version 1.

/** What follows when an outcome's retries are used up. */
export const AFTER_RETRIES = ['next_number', 'give_up', 'handover_sms'] as const;
type AfterRetries = (typeof AFTER_RETRIES)[number];

interface OutcomeRule {
  retries: number;
  intervalSeconds: number;
  nextNumber: boolean;
  then?: AfterRetries;
}

const perOutcomeSchema = () => z.object({
  retries: wholeNumber(0, 20).default(2)
    .describe('Retries of the same number after this outcome (attempts ending in it, beyond the first).'),
  intervalSeconds: wholeNumber(0, 30 * DAY_SECONDS).default(3600)
    .describe('Wait before the retry.'),
  nextNumber: z.boolean().optional()
    .describe('When the retries are used up: the next number (true, the default) or give the contact up (false). `then` says more.'),
  then: z.enum(AFTER_RETRIES).optional()
    .describe('When the retries are used up: the next number, give the contact up, or hand it over to SMS.'),
}).strict().superRefine((rule, ctx) => {
  if (rule.then !== undefined && rule.nextNumber !== undefined && rule.nextNumber !== (rule.then === 'next_number')) {
    ctx.addIssue({ code: z.ZodIssueCode.custom, path: ['then'], message: `${rule.then} contradicts nextNumber: ${rule.nextNumber} (give then alone)` });
  }
}).transform(({ nextNumber, then, ...rule }): OutcomeRule => (then === undefined
  // As v1 always stored it: nextNumber filled in, no `then`.
  ? { ...rule, nextNumber: nextNumber ?? true }
  // nextNumber agrees with then, so the stored parameters read back the same.
  : { ...rule, nextNumber: then === 'next_number', then }));

/** The outcomes a campaign may tune; the rest are fixed (reached: done; invalid: next number). */
export const TUNABLE_OUTCOMES = ['busy', 'no_answer', 'congestion', 'failed', 'answered_short', 'machine'] as const;
type Tunable = (typeof TUNABLE_OUTCOMES)[number];

const byOutcomeShape = (perOutcome = perOutcomeSchema()) => z.object({
  ...Object.fromEntries(TUNABLE_OUTCOMES.map((o) => [o, perOutcome.default({})])) as Record<Tunable, z.ZodDefault<typeof perOutcome>>,
  intervalByKind: z.object(Object.fromEntries(PHONE_KINDS.map((k) => [k, wholeNumber(0, 30 * DAY_SECONDS).optional()])))
    .strict().default({}),
  maxAttemptsPerContact: wholeNumber(1, 100).default(10),
  maxContactDays: maxContactDays(),
}).strict();

export type ByOutcomeParams = z.output<ReturnType<typeof byOutcomeShape>>;

// Whatever the campaign does with machines: a wait the lifetime cannot hold is a mistake.
const byOutcomeParams = builtOnFirstUse(() => byOutcomeShape().superRefine((p, ctx) => refuseWaitsBeyondLifetime(p.maxContactDays, retryWaits(p, 'retry'), ctx)));

const isTunable = (o: CallOutcome): o is Tunable => (TUNABLE_OUTCOMES as readonly string[]).includes(o);

const afterRetries = (rule: ByOutcomeParams[Tunable]): AfterRetries => rule.then ?? (rule.nextNumber ? 'next_number' : 'give_up');

/** The waits before a retry, each with its parameter. */
function retryWaits(params: ByOutcomeParams, machineAction: RetryStrategy['machineAction']): RetryWait[] {
  // Only outcomes that are retried wait (a machine given the message is done); a kind's
  // interval stands in for any of theirs.
  const retried = TUNABLE_OUTCOMES.filter((o) => params[o].retries > 0 && !(o === 'machine' && machineAction === 'leave_message'));
  const byKind = retried.length === 0 ? [] : PHONE_KINDS.flatMap((k): RetryWait[] => {
    const seconds = (params.intervalByKind as Partial<Record<string, number>>)[k];
    return seconds === undefined ? [] : [{ seconds, source: { param: ['intervalByKind', k] } }];
  });
  return [
    ...retried.map((o): RetryWait => ({ seconds: params[o].intervalSeconds, source: { param: [o, 'intervalSeconds'] } })),
    ...byKind,
  ];
}

export const byOutcomeV1: Strategy<ByOutcomeParams> = {
  name: 'byOutcome',
  version: 1,
  get params() { return byOutcomeParams(); },
  next(params, input) {
    const { outcome, position } = lastAttempt(input);
    if (REACHED.has(outcome)) return { kind: 'done' };
    // The message was left on the machine: the call handling's choice, not a retry's.
    if (outcome === 'machine' && input.campaign.machineAction === 'leave_message') return { kind: 'done' };
    if (input.attempts.length >= params.maxAttemptsPerContact) return { kind: 'give_up', reason: 'contact_attempts_exhausted' };
    const lifetimeEnd = lifetimeEndMs(input, params.maxContactDays);
    if (input.nowMs >= lifetimeEnd) return { kind: 'give_up', reason: 'contact_lifetime_exhausted' };
    if (!isTunable(outcome)) return { kind: 'next_number' }; // invalid_number (refused never reaches a strategy)
    const rule = params[outcome];
    const sameOutcome = attemptsOn(input, position).filter((a) => a.outcome === outcome).length;
    if (sameOutcome > rule.retries) {
      const reason = `${outcome}_retries_exhausted`;
      switch (afterRetries(rule)) {
        case 'next_number': return { kind: 'next_number' };
        case 'give_up': return { kind: 'give_up', reason };
        case 'handover_sms': return { kind: 'handover', channel: 'sms', reason };
      }
    }
    const kind = input.numbers.find((n) => n.position === position)?.kind ?? null;
    const override = kind === null ? undefined : (params.intervalByKind as Partial<Record<string, number>>)[kind];
    const notBefore = input.nowMs + (override ?? rule.intervalSeconds) * 1000;
    // A retry the calling hours would put past the lifetime's end is not waited for.
    if (!callableBefore(input, position, notBefore, lifetimeEnd)) return { kind: 'give_up', reason: 'contact_lifetime_exhausted' };
    return { kind: 'call', position, notBefore };
  },
  handoverChannels(params) {
    return TUNABLE_OUTCOMES.filter((o) => params[o].then === 'handover_sms')
      .map((o): HandoverOption => ({ channel: 'sms', param: [o, 'then'] }));
  },
  retryWaits: (params, campaign) => retryWaits(params, campaign.machineAction),
};
