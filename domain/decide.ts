import type { CallOutcome } from './outcomes';
import type { RetryStrategy } from './types';

// The "decide" step: what the contact workflow does after an attempt. Pure, so it is tested
// as a table and replays identically.

export type Decision =
  | { kind: 'done' }
  | { kind: 'retry_number'; afterMs: number }
  | { kind: 'next_number'; reason: 'attempts_exhausted' | 'invalid_number' | 'blacklisted' | 'answering_machine' };

/** Outcomes that mean the subscriber was reached and the campaign's goal is met. */
export const REACHED: ReadonlySet<CallOutcome> = new Set(['answered', 'operator']);

export function decide(
  strategy: RetryStrategy,
  outcome: CallOutcome,
  attemptsOnThisNumber: number,
): Decision {
  if (REACHED.has(outcome)) return { kind: 'done' };
  if (outcome === 'machine') {
    // The campaign's choice: the message was left on the machine, or this number is given up.
    if (strategy.machineAction === 'leave_message') return { kind: 'done' };
    if (strategy.machineAction === 'hang_up') return { kind: 'next_number', reason: 'answering_machine' };
  }
  // A number proven not to exist will not start working on the next try; the record step
  // has put it on the blacklist with the attempt that proved it.
  if (outcome === 'invalid_number') return { kind: 'next_number', reason: 'invalid_number' };
  if (attemptsOnThisNumber >= strategy.maxAttemptsPerNumber) {
    return { kind: 'next_number', reason: 'attempts_exhausted' };
  }
  // busy, no answer, congestion, failed, a machine, or a listener who hung up too early.
  return { kind: 'retry_number', afterMs: strategy.retryIntervalSeconds * 1000 };
}
