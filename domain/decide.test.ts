import type { CallOutcome } from './outcomes';
import { decide } from './decide';

const strategy = { maxAttemptsPerNumber: 3, retryIntervalSeconds: 600, machineAction: 'retry' as const };

describe('decide', () => {
  it.each<[CallOutcome, number, ReturnType<typeof decide>]>([
    ['answered', 1, { kind: 'done' }],
    ['operator', 2, { kind: 'done' }],
    ['busy', 1, { kind: 'retry_number', afterMs: 600_000 }],
    ['busy', 2, { kind: 'retry_number', afterMs: 600_000 }],
    ['busy', 3, { kind: 'next_number', reason: 'attempts_exhausted' }],
    ['no_answer', 1, { kind: 'retry_number', afterMs: 600_000 }],
    ['congestion', 3, { kind: 'next_number', reason: 'attempts_exhausted' }],
    ['failed', 1, { kind: 'retry_number', afterMs: 600_000 }],
    ['machine', 1, { kind: 'retry_number', afterMs: 600_000 }],
    ['answered_short', 1, { kind: 'retry_number', afterMs: 600_000 }],
    ['invalid_number', 1, { kind: 'next_number', reason: 'invalid_number' }],
  ])('%s after attempt %i', (outcome, attempts, expected) => {
    expect(decide(strategy, outcome, attempts)).toEqual(expected);
  });

  it('moves on after one attempt when the strategy allows one', () => {
    expect(decide({ maxAttemptsPerNumber: 1, retryIntervalSeconds: 0, machineAction: 'retry' }, 'busy', 1))
      .toEqual({ kind: 'next_number', reason: 'attempts_exhausted' });
  });
});

describe('what an answering machine gets', () => {
  it.each([
    ['retry', { kind: 'retry_number', afterMs: 600_000 }],
    ['leave_message', { kind: 'done' }],
    ['hang_up', { kind: 'next_number', reason: 'answering_machine' }],
  ] as const)('%s', (machineAction, expected) => {
    expect(decide({ ...strategy, machineAction }, 'machine', 1)).toEqual(expected);
  });
});
