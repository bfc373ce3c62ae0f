import type { z } from 'zod';
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
  /** Every attempt so far, oldest first, on every number; the last one is the one to decide on. */
  attempts: readonly StrategyAttempt[];
  /** The number the last attempt was on. */
  position: number;
  lastOutcome: CallOutcome;
  nowMs: number;
  /**
   * The campaign's classic columns (max_attempts_per_number, retry_interval_seconds,
   * machine_action): what `simple` runs on, and what a machine got (a left message is done).
   */
  campaign: RetryStrategy;
}

export type NextAction =
  /** Call this number (again) at or after `notBefore` (epoch ms); the gate still decides. */
  | { kind: 'call'; position: number; notBefore: number }
  /** This number is finished with; the next one, if any. */
  | { kind: 'next_number' }
  /** The contact is finished with, unreached. */
  | { kind: 'give_up'; reason: string }
  /** The subscriber was reached. */
  | { kind: 'done' };

/** A strategy, registered by name and version; a changed behaviour is a new version. */
export interface Strategy<P = unknown> {
  name: string;
  version: number;
  /** Its parameters as a campaign stores them; defaults filled in by parsing. */
  params: z.ZodType<P, z.ZodTypeDef, unknown>;
  next(params: P, input: StrategyInput): NextAction;
}

/** What a campaign (and the contact's plan) names: a registered strategy and its parameters. */
export interface StrategyChoice {
  name: string;
  version: number;
  params: Record<string, unknown>;
}

export const DEFAULT_STRATEGY: StrategyChoice = { name: 'simple', version: 1, params: {} };

/** Outcomes that mean the subscriber was reached and the campaign's goal is met. */
export const REACHED: ReadonlySet<CallOutcome> = new Set(['answered', 'operator']);

/** Attempts on one number. */
export function attemptsOn(input: StrategyInput, position: number): StrategyAttempt[] {
  return input.attempts.filter((a) => a.position === position);
}
