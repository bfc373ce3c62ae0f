import type { CallOutcome } from '../../domain/outcomes';
import type { StrategyAttempt } from '../../domain/strategies/strategy';
import type { ContactPhone, ContactPlan, ContactResult } from '../../domain/types';
import { finishContact } from './activityProxies';
import { attemptOn, type AttemptResult } from './attemptCall';
import { endOfRefusedNumbers } from './gateRefusals';
import { openSession, sessionResult, type ContactInput, type Session } from './session';

// A contact as a strategy workflow sees it: its plan, its numbers and attempts, and the two
// things it may do: attempt a call (gate → wait → prepare → call → record, never less) and
// finish.

export interface AttemptOptions {
  /** Not before this moment (epoch ms): a retry's or an evening's. The number's calling hours still apply. */
  notBefore?: number;
}

export interface Contact {
  readonly input: ContactInput;
  /** The campaign's settings of now (read again after a campaignChanged), the numbers as at the start. */
  readonly plan: ContactPlan;
  /** The numbers in the contact's order (position 1 first). */
  readonly phones: readonly ContactPhone[];
  /** Every attempt so far, oldest first (refusals are not attempts). */
  readonly attempts: readonly StrategyAttempt[];
  /** The last attempt's outcome, on any number (null before the first). */
  readonly lastOutcome: CallOutcome | null;
  /** Attempts on one number so far. */
  attemptsOn(phone: ContactPhone): number;
  /**
   * One attempt on `phone`: the gate, the wait for its calling hours (not before `notBefore`),
   * the message, the call, its attempt row. A pause, a cap, the window, a failed prepare and a
   * dead trunk are waited out inside; a stop, the blacklist, no hours left or a refusing
   * carrier come back instead of an attempt.
   */
  attemptCall(phone: ContactPhone, opts?: AttemptOptions): Promise<AttemptResult>;
  /** Writes the contact's end (its state and outcome) and returns the workflow's result. */
  finish(state: ContactResult['state'], outcome: CallOutcome | null): Promise<ContactResult>;
}

/**
 * Opens the contact: installs the progress query and the campaignResumed / campaignChanged
 * handlers (a change wakes every wait and the plan is read again before the next gate) and
 * reads the plan. The first thing a contact workflow does.
 */
export async function openContact(input: ContactInput): Promise<Contact> {
  return contactOf(await openSession(input));
}

/** The public face of a session (the contact workflow keeps the session for its decide step). */
export function contactOf(s: Session): Contact {
  return {
    input: s.input,
    get plan() { return s.plan; },
    get phones() { return s.plan.phones; },
    get attempts() { return s.attemptLog; },
    get lastOutcome() { return s.progress.lastOutcome; },
    attemptsOn: (phone) => s.perNumber.find((t) => t.position === phone.position)?.attempts ?? 0,
    async attemptCall(phone, opts = {}) {
      const { notBefore } = opts;
      const result = await attemptOn(s, phone, notBefore === undefined ? undefined : () => notBefore);
      // Only the contact workflow's strategy moment takes a number back (a fixed moment never does),
      // nor finishes the contact: that needs a decision before the record, which it does not pass.
      if (result.kind === 'next_number' || result.kind === 'give_up' || result.kind === 'finished') throw new Error(`unexpected ${result.kind}`);
      return result;
    },
    finish: (state, outcome) => finishSession(s, state, outcome),
  };
}

export async function finishSession(s: Session, stateAsked: ContactResult['state'], outcome: CallOutcome | null): Promise<ContactResult> {
  // A workflow that ends a contact 'blacklisted' because the gate refused its numbers for good
  // need not know which rule did: when consent or the refusal list said no, the end is 'refused'.
  // Only finishContact's argument changes, which replay does not compare.
  const state = stateAsked === 'blacklisted' ? endOfRefusedNumbers(s) : stateAsked;
  s.progress.step = 'finished';
  await finishContact({ contactId: s.plan.contactId, state, outcome });
  return sessionResult(s, state, outcome);
}
