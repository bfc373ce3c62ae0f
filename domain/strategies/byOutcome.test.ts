import type { CallOutcome } from '../outcomes';
import { byOutcomeV1, type ByOutcomeParams } from './byOutcome';
import type { PhoneKind, StrategyInput } from './strategy';

const NOW = Date.parse('2026-03-02T10:00:00Z');
const MIN = 60_000;

const params = (given: unknown = {}): ByOutcomeParams => byOutcomeV1.params.parse(given);

function input(history: [number, CallOutcome][], opts: { kinds?: (PhoneKind | null)[]; machineAction?: 'retry' | 'hang_up' | 'leave_message' } = {}): StrategyInput {
  const kinds = opts.kinds ?? [null, null];
  return {
    numbers: kinds.map((kind, i) => ({ position: i + 1, kind })),
    attempts: history.map(([position, outcome], i) => ({ position, outcome, atMs: NOW - MIN * (history.length - i) })),
    nowMs: NOW,
    campaign: { maxAttemptsPerNumber: 1, retryIntervalSeconds: 1, machineAction: opts.machineAction ?? 'retry' },
  };
}

describe('byOutcome v1', () => {
  const p = params({
    busy: { retries: 2, intervalSeconds: 300 },
    no_answer: { retries: 1, intervalSeconds: 7200, nextNumber: false },
    machine: { retries: 0 },
  });

  it('fills every outcome with defaults', () => {
    expect(params().congestion).toEqual({ retries: 2, intervalSeconds: 3600, nextNumber: true });
    expect(params().maxAttemptsPerContact).toBe(10);
  });

  it('is done when the subscriber was reached, and moves on from an invalid number', () => {
    expect(byOutcomeV1.next(p, input([[1, 'busy'], [1, 'answered']]))).toEqual({ kind: 'done' });
    expect(byOutcomeV1.next(p, input([[1, 'operator']]))).toEqual({ kind: 'done' });
    expect(byOutcomeV1.next(p, input([[1, 'invalid_number']]))).toEqual({ kind: 'next_number' });
  });

  it('retries a busy number after its own interval, as often as it says, then moves on', () => {
    expect(byOutcomeV1.next(p, input([[1, 'busy']]))).toEqual({ kind: 'call', position: 1, notBefore: NOW + 5 * MIN });
    expect(byOutcomeV1.next(p, input([[1, 'busy'], [1, 'busy']]))).toEqual({ kind: 'call', position: 1, notBefore: NOW + 5 * MIN });
    expect(byOutcomeV1.next(p, input([[1, 'busy'], [1, 'busy'], [1, 'busy']]))).toEqual({ kind: 'next_number' });
  });

  it('counts retries per outcome and per number', () => {
    // Two busy signals on number 1 do not use up number 2's, nor no_answer's.
    expect(byOutcomeV1.next(p, input([[1, 'busy'], [1, 'busy'], [2, 'busy']]))).toEqual({ kind: 'call', position: 2, notBefore: NOW + 5 * MIN });
    expect(byOutcomeV1.next(p, input([[1, 'busy'], [1, 'busy'], [1, 'no_answer']]))).toEqual({ kind: 'call', position: 1, notBefore: NOW + 120 * MIN });
  });

  it('gives the contact up when an outcome says not to move on', () => {
    expect(byOutcomeV1.next(p, input([[1, 'no_answer'], [1, 'no_answer']]))).toEqual({ kind: 'give_up', reason: 'no_answer_retries_exhausted' });
  });

  it('lets a number kind override the interval', () => {
    const q = { ...p, intervalByKind: { mobile: 600 } };
    expect(byOutcomeV1.next(q, input([[1, 'no_answer']], { kinds: ['mobile', 'home'] }))).toEqual({ kind: 'call', position: 1, notBefore: NOW + 10 * MIN });
    expect(byOutcomeV1.next(q, input([[2, 'no_answer']], { kinds: ['mobile', 'home'] }))).toEqual({ kind: 'call', position: 2, notBefore: NOW + 120 * MIN });
  });

  it('gives up at the limit of attempts per contact', () => {
    const q = { ...p, maxAttemptsPerContact: 2 };
    expect(byOutcomeV1.next(q, input([[1, 'busy'], [2, 'busy']]))).toEqual({ kind: 'give_up', reason: 'contact_attempts_exhausted' });
    expect(byOutcomeV1.next(q, input([[1, 'busy'], [2, 'answered']]))).toEqual({ kind: 'done' });
  });

  it('treats a machine by its rule, unless the message was left on it', () => {
    expect(byOutcomeV1.next(p, input([[1, 'machine']]))).toEqual({ kind: 'next_number' });
    expect(byOutcomeV1.next(p, input([[1, 'machine']], { machineAction: 'leave_message' }))).toEqual({ kind: 'done' });
  });
});
