import { decide } from '../decide';
import type { CallOutcome } from '../outcomes';
import { simpleV1 } from './simple';
import type { StrategyInput } from './strategy';

const campaign = { maxAttemptsPerNumber: 3, retryIntervalSeconds: 600, machineAction: 'retry' as const };
const NOW = Date.parse('2026-03-02T10:00:00Z');

function input(outcomes: CallOutcome[], machineAction = campaign.machineAction as 'retry' | 'hang_up' | 'leave_message'): StrategyInput {
  return {
    numbers: [{ position: 1, kind: null }, { position: 2, kind: null }],
    attempts: [
      { position: 2, outcome: 'busy', atMs: NOW - 1 }, // another number's attempts do not count
      ...outcomes.map((outcome, i) => ({ position: 1, outcome, atMs: NOW - 1000 * (outcomes.length - i) })),
    ],
    nowMs: NOW,
    campaign: { ...campaign, machineAction },
  };
}

describe('simple v1 is decide() as it was', () => {
  it.each<[CallOutcome[], ReturnType<typeof simpleV1.next>]>([
    [['answered'], { kind: 'done' }],
    [['busy', 'operator'], { kind: 'done' }],
    [['busy'], { kind: 'call', position: 1, notBefore: NOW + 600_000 }],
    [['busy', 'no_answer'], { kind: 'call', position: 1, notBefore: NOW + 600_000 }],
    [['busy', 'no_answer', 'busy'], { kind: 'next_number' }],
    [['invalid_number'], { kind: 'next_number' }],
    [['machine'], { kind: 'call', position: 1, notBefore: NOW + 600_000 }],
    [['answered_short'], { kind: 'call', position: 1, notBefore: NOW + 600_000 }],
  ])('%j', (outcomes, expected) => {
    expect(simpleV1.next({}, input(outcomes))).toEqual(expected);
  });

  it.each([
    ['retry', { kind: 'call', position: 1, notBefore: NOW + 600_000 }],
    ['leave_message', { kind: 'done' }],
    ['hang_up', { kind: 'next_number' }],
  ] as const)('a machine under %s', (machineAction, expected) => {
    expect(simpleV1.next({}, input(['machine'], machineAction))).toEqual(expected);
  });

  it('agrees with decide() on every outcome and count', () => {
    const outcomes: CallOutcome[] = ['answered', 'answered_short', 'operator', 'machine', 'busy', 'no_answer', 'invalid_number', 'congestion', 'failed'];
    for (const outcome of outcomes) {
      for (let n = 1; n <= 4; n++) {
        const d = decide(campaign, outcome, n);
        const a = simpleV1.next({}, input([...Array<CallOutcome>(n - 1).fill('busy'), outcome]));
        expect(a.kind).toBe(d.kind === 'retry_number' ? 'call' : d.kind);
        if (d.kind === 'retry_number' && a.kind === 'call') expect(a.notBefore - NOW).toBe(d.afterMs);
      }
    }
  });
});
