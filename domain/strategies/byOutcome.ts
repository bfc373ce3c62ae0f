import { z } from 'zod';
import type { CallOutcome } from '../outcomes';
import { DAY_SECONDS, PHONE_KINDS, REACHED, attemptsOn, lastAttempt, wholeNumber, type Strategy } from './strategy';

// byOutcome v1: a busy line is worth another try in minutes, a phone nobody answers in hours,
// a machine perhaps never. Per outcome: how many retries of the same number, after how long,
// and whether to move on to the next number afterwards (or give the contact up); per number
// kind an interval that overrides the outcome's; and a limit of attempts per contact.


const perOutcome = z.object({
  retries: wholeNumber(0, 20).default(2)
    .describe('Retries of the same number after this outcome (attempts ending in it, beyond the first).'),
  intervalSeconds: wholeNumber(0, 30 * DAY_SECONDS).default(3600)
    .describe('Wait before the retry.'),
  nextNumber: z.boolean().default(true)
    .describe('When the retries are used up: the next number (true) or give the contact up (false).'),
}).strict();

/** The outcomes a campaign may tune; the rest are fixed (reached: done; invalid: next number). */
export const TUNABLE_OUTCOMES = ['busy', 'no_answer', 'congestion', 'failed', 'answered_short', 'machine'] as const;
type Tunable = (typeof TUNABLE_OUTCOMES)[number];

const byOutcomeParams = z.object({
  ...Object.fromEntries(TUNABLE_OUTCOMES.map((o) => [o, perOutcome.default({})])) as Record<Tunable, z.ZodDefault<typeof perOutcome>>,
  intervalByKind: z.object(Object.fromEntries(PHONE_KINDS.map((k) => [k, wholeNumber(0, 30 * DAY_SECONDS).optional()])))
    .strict().default({}),
  maxAttemptsPerContact: wholeNumber(1, 100).default(10),
}).strict();

export type ByOutcomeParams = z.output<typeof byOutcomeParams>;

const isTunable = (o: CallOutcome): o is Tunable => (TUNABLE_OUTCOMES as readonly string[]).includes(o);

export const byOutcomeV1: Strategy<ByOutcomeParams> = {
  name: 'byOutcome',
  version: 1,
  params: byOutcomeParams,
  next(params, input) {
    const { outcome, position } = lastAttempt(input);
    if (REACHED.has(outcome)) return { kind: 'done' };
    // The message was left on the machine: the call handling's choice, not a retry's.
    if (outcome === 'machine' && input.campaign.machineAction === 'leave_message') return { kind: 'done' };
    if (input.attempts.length >= params.maxAttemptsPerContact) return { kind: 'give_up', reason: 'contact_attempts_exhausted' };
    if (!isTunable(outcome)) return { kind: 'next_number' }; // invalid_number (refused never reaches a strategy)
    const rule = params[outcome];
    const sameOutcome = attemptsOn(input, position).filter((a) => a.outcome === outcome).length;
    if (sameOutcome > rule.retries) {
      return rule.nextNumber ? { kind: 'next_number' } : { kind: 'give_up', reason: `${outcome}_retries_exhausted` };
    }
    const kind = input.numbers.find((n) => n.position === position)?.kind ?? null;
    const override = kind === null ? undefined : (params.intervalByKind as Partial<Record<string, number>>)[kind];
    return { kind: 'call', position, notBefore: input.nowMs + (override ?? rule.intervalSeconds) * 1000 };
  },
};
