import { z } from 'zod';
import { nextAllowedMomentIn, type CallingSchedule } from '../callingSchedule';
import type { HandoverChannel } from '../handoverChannels';
import type { CallOutcome } from '../outcomes';
import type { RetryStrategy } from '../types';

// What a strategy is: the "decide" step of the contact workflow as a pure, deterministic
// function of what happened so far. It only says *when* to try; the workflow still puts the
// gate in front of every call (gate → wait → prepare → call → record), so a strategy cannot
// break the hours, the caps or the blacklist. No I/O, no clock of its own, no randomness:
// it runs inside the workflow and must replay identically.

/** What kind of line a number is, when someone told us (null: not known). */
export const PHONE_KINDS = ['mobile', 'home', 'work', 'other'] as const;
export type PhoneKind = (typeof PHONE_KINDS)[number];

export interface StrategyNumber {
  position: number;
  kind: PhoneKind | null;
  /** The subscriber's candidate zones (the first one reads the local hour); given since bestHour. */
  zones?: readonly string[];
}

/** Attempts and answers by local hour of the day (index 0–23). */
export interface HourCounts {
  attempts: readonly number[];
  answered: readonly number[];
}

/**
 * What the attempt rows say about when one number's subscribers answer, by the local hour the
 * call started: the number itself (in any campaign), numbers with the same prefix, and the
 * whole campaign, within a look-back window. Counted by the answerRates activity
 * (adapters/postgres/answerRates.ts) and handed to the strategy, which blends them.
 */
export interface AnswerHistory {
  position: number;
  number: HourCounts;
  prefix: HourCounts;
  campaign: HourCounts;
}

/** What a strategy that learns from the attempt rows asks the activity to count. */
export interface AnswerHistoryQuery {
  /** Attempts older than this many days are not counted. */
  lookbackDays: number;
  /** Numbers sharing this many leading digits (after '+') count as the same prefix. */
  prefixDigits: number;
}

/** One finished attempt (refusals of the gate are not attempts: nothing was dialled). */
export interface StrategyAttempt {
  position: number;
  outcome: CallOutcome;
  /** When the attempt was recorded, epoch ms of the workflow's clock. */
  atMs: number;
}

export interface StrategyInput {
  /** The contact's numbers, in the order the workflow walks them. */
  numbers: readonly StrategyNumber[];
  /**
   * Every attempt so far, oldest first, on every number; the last one (`lastAttempt`) is the
   * one to decide on: its number and its outcome.
   */
  attempts: readonly StrategyAttempt[];
  nowMs: number;
  /**
   * The campaign's classic columns (max_attempts_per_number, retry_interval_seconds,
   * machine_action): what `simple` runs on, and what a machine got (a left message is done).
   */
  campaign: RetryStrategy;
  /**
   * When calls are allowed (the campaign's hours ∩ the legal window ∩ its dates), read in each
   * number's zones: the strategy may aim at an allowed moment. Absent in older callers.
   */
  schedule?: CallingSchedule;
  /** Answer counts per number, for strategies with `answerHistory` (absent otherwise). */
  answerHistory?: readonly AnswerHistory[];
}

export type NextAction =
  /** Call this number (again) at or after `notBefore` (epoch ms); the gate still decides. */
  | { kind: 'call'; position: number; notBefore: number }
  /** This number is finished with; the next one, if any. */
  | { kind: 'next_number' }
  /** The contact is finished with, unreached. */
  | { kind: 'give_up'; reason: string }
  /**
   * The calls are finished with; another channel takes the contact over (an SMS). Only a
   * campaign whose channels exist may say so (`handoverChannels`); a workflow that meets one
   * it cannot deliver ends the contact as it would a give_up.
   */
  | { kind: 'handover'; channel: HandoverChannel; reason?: string }
  /** The subscriber was reached. */
  | { kind: 'done' };

/** A strategy, registered by name and version; a changed behaviour is a new version. */
export interface Strategy<P = unknown> {
  name: string;
  version: number;
  /** Its parameters as a campaign stores them; defaults filled in by parsing. */
  params: z.ZodType<P, z.ZodTypeDef, unknown>;
  next(params: P, input: StrategyInput): NextAction;
  /**
   * Present when the strategy decides on the attempt rows: what the workflow asks the
   * answer-history activity to count before each decision. Others decide without the I/O.
   */
  answerHistory?(params: P): AnswerHistoryQuery;
  /**
   * Present when the strategy may hand a contact over to another channel: each channel its
   * parameters may lead to, and the parameter that says so (a path under the params). A
   * campaign naming a channel the dialer does not have is refused there, by that path.
   */
  handoverChannels?(params: P): readonly HandoverOption[];
  /**
   * The waits the strategy may put between two calls of one number, each with the setting it
   * comes from: the campaign's check that a retry can fall inside its dates and hours.
   */
  retryWaits?(params: P, campaign: RetryStrategy): readonly RetryWait[];
}

/** A channel a strategy's parameters may hand over to, and the parameter that says so. */
export interface HandoverOption {
  channel: HandoverChannel;
  param: readonly (string | number)[];
}

/**
 * A wait before a retry, in seconds, and where it is set: a path under the strategy's params,
 * or one of the campaign's classic columns (simple's retryIntervalSeconds).
 */
export interface RetryWait {
  seconds: number;
  source: { param: readonly (string | number)[] } | { campaign: keyof RetryStrategy };
}

/** What a campaign (and the contact's plan) names: a registered strategy and its parameters. */
export interface StrategyChoice {
  name: string;
  version: number;
  params: Record<string, unknown>;
}

export const DEFAULT_STRATEGY: StrategyChoice = { name: 'simple', version: 1, params: {} };

/** Outcomes that mean the subscriber was reached and the campaign's goal is met (decide()'s). */
export { REACHED } from '../decide';

export const DAY_SECONDS = 86_400;

/** A whole-number parameter within bounds, named as the campaign settings name one. */
export const wholeNumber = (min: number, max: number) => z.number().int('must be a whole number').min(min).max(max);

/**
 * A params schema built on its first use, then kept. Temporal evaluates the workflow modules
 * again for every contact (its reusable V8 context), and a zod schema is dozens of objects, each
 * binding its methods on construction: the strategies' schemas built at module load were 7.5 %
 * of the workflow thread's CPU, while a contact parses only its own strategy's params (and the
 * API and the campaign settings, which keep the module, build each schema once).
 */
export function builtOnFirstUse<T>(build: () => T): () => T {
  let built: T | undefined;
  return () => (built ??= build());
}

/** The attempt to decide on: the last one (a strategy is asked only after an attempt). */
export function lastAttempt(input: StrategyInput): StrategyAttempt {
  const last = input.attempts[input.attempts.length - 1];
  if (!last) throw new Error('a strategy decides after an attempt; none was given');
  return last;
}

/** Optional parameter of a limit on the contact's lifetime, in days since its first attempt. */
export const maxContactDays = () => wholeNumber(1, 366).optional()
  .describe('Days from the contact\'s first attempt after which it is given up (contact_lifetime_exhausted); none when left out.');

/**
 * Refuses (in a params schema's refinement) each wait set by a parameter that is as long as the
 * contact's lifetime or longer: the retry after it would come after the end, so never.
 */
export function refuseWaitsBeyondLifetime(days: number | undefined, waits: readonly RetryWait[], ctx: z.RefinementCtx): void {
  if (days === undefined) return;
  for (const w of waits) {
    if (!('param' in w.source) || w.seconds < days * DAY_SECONDS) continue;
    ctx.addIssue({
      code: z.ZodIssueCode.custom, path: [...w.source.param],
      message: `a retry ${w.seconds} s after a call would come after maxContactDays (${days}), so never`,
    });
  }
}

/** The moment the contact's lifetime ends: `days` after its first attempt (Infinity without a limit). */
export function lifetimeEndMs(input: StrategyInput, days: number | undefined): number {
  if (days === undefined) return Infinity;
  const first = input.attempts[0];
  return first ? first.atMs + days * DAY_SECONDS * 1000 : Infinity;
}

/**
 * Whether a call of `position` at or after `notBefore` can happen before `endMs`: with the
 * schedule and the number's zones, the first allowed moment from then on (the wait step waits
 * for it) must come before the end; without them, `notBefore` itself.
 */
export function callableBefore(input: StrategyInput, position: number, notBefore: number, endMs: number): boolean {
  if (endMs === Infinity) return true;
  if (notBefore >= endMs) return false;
  const zones = input.numbers.find((n) => n.position === position)?.zones ?? [];
  if (!input.schedule || zones.length === 0) return true;
  const days = Math.ceil((endMs - notBefore) / (DAY_SECONDS * 1000)) + 1;
  const moment = nextAllowedMomentIn(input.schedule, zones, notBefore, days);
  return moment !== null && moment < endMs;
}

/** Attempts on one number. */
export function attemptsOn(input: StrategyInput, position: number): StrategyAttempt[] {
  return input.attempts.filter((a) => a.position === position);
}
