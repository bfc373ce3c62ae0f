import type { CallOutcome } from '../domain/outcomes';
import { decide } from '../domain/decide';
import type { AnswerHistory, NextAction } from '../domain/strategies/strategy';
import type { ContactPhone, ContactResult } from '../domain/types';
import { attemptOn, type AttemptEnd, type AttemptOnResult, type DecideBeforeRecord } from './contactSteps/attemptCall';
import { finishSession } from './contactSteps/contact';
import { endOfRefusedNumbers } from './contactSteps/gateRefusals';
import { WAKE_PATCH } from './contactSteps/patches';
import { hasPatch, openSession, sleepUntil, type ContactInput, type Session } from './contactSteps/session';
import { answerHistoryFor, decidesOnAnswerHistory, strategyAction } from './contactSteps/strategyDecision';

// The product's contact workflow, as in docs/architecture.md: plan, then gate → wait → prepare →
// call → record → decide, for each of the contact's numbers in order. The steps up to the
// record are the step library's (workflows/contactSteps), the same a strategy workflow is
// built from; what is this workflow's own is the walk over the numbers and the decide step
// (the campaign's registered strategy). A new strategy workflow is a new folder under
// workflows/strategies, never an edit of this file.

export type { ContactInput };

/**
 * Versioning of the decide step: the campaign's strategy from the registry
 * (domain/strategies) instead of decide(). Contacts that decided before it replay with decide().
 */
const STRATEGY_PATCH = 'strategy-registry';

/**
 * Versioning of a number without calling hours left: it moves on to the next number instead of
 * ending the contact 'expired'. Contacts that met one before it replay as they ran.
 */
const EXPIRED_MOVES_ON_PATCH = 'expired-number-moves-on';

/** The last attempt on a number asked for a retry: what it ended with, when, and the counts it was decided on. */
interface PendingRetry {
  outcome: CallOutcome;
  decidedAtMs: number;
  history?: AnswerHistory[];
}

export async function contactWorkflow(input: ContactInput): Promise<ContactResult> {
  const s = await openSession(input, { gateFirst: true });
  const { progress } = s;
  const finish = (state: ContactResult['state'], outcome: CallOutcome | null) => finishSession(s, state, outcome);
  let blacklistedNumbers = 0;
  let expiredNumbers = 0;

  numbers: for (const [index, phone] of s.plan.phones.entries()) {
    const tally = s.perNumber[index];
    let retry: PendingRetry | null = null;

    for (;;) {
      const pending: PendingRetry | null = retry;
      const attempt: AttemptOnResult<Decided> = await attemptOn(
        s, phone, pending ? () => retryMoment(s, pending, phone, tally.attempts) : undefined, s.lean ? decideBeforeRecord(s, phone, index === s.plan.phones.length - 1) : undefined,
      );
      switch (attempt.kind) {
        case 'finished':
          // Decided before the record: the attempt and the contact's end were written together.
          return attempt.result;
        case 'next_number':
        case 'carrier_refused':
          continue numbers;
        case 'give_up':
          return finish('failed', progress.lastOutcome);
        case 'stopped':
          return finish('cancelled', null);
        case 'blacklisted':
          blacklistedNumbers++;
          continue numbers;
        case 'no_calling_hours':
          // Another number may be in a zone that still has some hours. Versioned: contacts
          // started before this change replay as they ran.
          if (!hasPatch(s, EXPIRED_MOVES_ON_PATCH)) return finish('expired', progress.lastOutcome);
          expiredNumbers++;
          continue numbers;
        case 'attempted':
          break;
      }
      const outcome: CallOutcome = attempt.outcome;

      // decide
      progress.step = 'decide';
      if (hasPatch(s, STRATEGY_PATCH)) {
        // The strategy only says when; the retry waits after the gate like any wait.
        const decided: Decided = attempt.decided ?? await decideAfterRecord(s, phone);
        const { action, history } = decided;
        if (action.kind === 'done') return finish('done', outcome);
        if (action.kind === 'give_up') return finish('failed', outcome);
        if (action.kind === 'next_number') continue numbers;
        // No channel can take a contact over yet (campaigns whose strategy could hand over are
        // refused at creation): one that says so anyway ends as a give_up would.
        if (action.kind === 'handover') return finish('failed', outcome);
        if (action.kind !== 'call') return unknownAction(action);
        retry = { outcome, decidedAtMs: decided.atMs, ...(history ? { history } : {}) };
        continue;
      }
      const decision = decide(s.plan.strategy, outcome, tally.attempts);
      if (decision.kind === 'done') return finish('done', outcome);
      if (decision.kind === 'next_number') continue numbers;
      if (hasPatch(s, WAKE_PATCH)) {
        // The retry waits after the gate, as any wait does, so a stop, new hours or a new
        // interval meanwhile are seen when they happen, not when the old interval ends.
        retry = { outcome, decidedAtMs: Date.now() };
        continue;
      }
      retry = null;
      await sleepUntil(s, Date.now() + decision.afterMs);
    }
  }
  const allBlacklisted = blacklistedNumbers === s.plan.phones.length;
  // Every number refused for good: by the blacklist alone, or by consent or the refusal list too.
  if (allBlacklisted) return finish(endOfRefusedNumbers(s), progress.lastOutcome);
  // No number is left to try: 'expired' when time ran out on every number that was not
  // blacklisted before any of them was answered; otherwise the strategy gave up ('failed').
  const timeRanOut = expiredNumbers > 0 && expiredNumbers + blacklistedNumbers === s.plan.phones.length;
  return finish(timeRanOut ? 'expired' : 'failed', progress.lastOutcome);

  /** An action this workflow has no step for: the contact ends 'failed' with its last outcome. */
  function unknownAction(_action: never): Promise<ContactResult> {
    return finish('failed', progress.lastOutcome);
  }
}

/** What the strategy said after an attempt, when, and the answer counts it decided on. */
interface Decided {
  action: NextAction;
  atMs: number;
  history?: AnswerHistory[];
}

/**
 * The decide step before the record ('lean-attempt'): the strategy of now on the attempt log,
 * which already holds the attempt; an action that ends the contact ends it with the record.
 * A strategy that reads the attempt rows (bestHour) decides after the record instead.
 */
function decideBeforeRecord(s: Session, phone: ContactPhone, lastNumber: boolean): DecideBeforeRecord<Decided> {
  return () => {
    if (decidesOnAnswerHistory(s)) return null;
    const atMs = Date.now();
    const action = strategyAction(s, phone, atMs);
    return { decision: { action, atMs }, end: endOf(action, s.progress.lastOutcome, lastNumber) };
  };
}

/** The decide step after the record, with the answer counts a strategy asks for. */
async function decideAfterRecord(s: Session, phone: ContactPhone): Promise<Decided> {
  const history = await answerHistoryFor(s, phone, Date.now());
  const atMs = Date.now();
  return { action: strategyAction(s, phone, atMs, history), atMs, ...(history ? { history } : {}) };
}

/**
 * How an action ends the contact (as the decide step above ends it), or null: it goes on. The
 * last number's next_number ends the walk over the numbers 'failed' (one was attempted, so
 * neither every number blacklisted nor every one out of time).
 */
function endOf(action: NextAction, outcome: CallOutcome | null, lastNumber: boolean): AttemptEnd | null {
  switch (action.kind) {
    case 'done': return { state: 'done', outcome };
    case 'call': return null;
    case 'next_number': return lastNumber ? { state: 'failed', outcome } : null;
    // No channel can take a contact over yet: it ends as a give_up would; so does an unknown action.
    default: return { state: 'failed', outcome };
  }
}

/**
 * When a number asked to be retried may be called again, under the strategy of now (a
 * changed interval moves the moment; fewer attempts may give the number up).
 */
function retryMoment(s: Session, r: PendingRetry, phone: ContactPhone, attempts: number): number | 'next_number' | 'give_up' {
  if (hasPatch(s, STRATEGY_PATCH)) {
    const a = strategyAction(s, phone, r.decidedAtMs, r.history);
    if (a.kind === 'next_number' || a.kind === 'give_up') return a.kind;
    if (a.kind === 'handover') return 'give_up'; // as after the attempt: no channel takes it over yet
    // 'done' only where the settings changed under the retry (a machine now leaves a
    // message): nothing was left on it yet, so the number is tried again, gate first.
    return a.kind === 'call' ? a.notBefore : r.decidedAtMs;
  }
  const d = decide(s.plan.strategy, r.outcome, attempts);
  if (d.kind === 'next_number') return 'next_number';
  // 'done' only where a machine's action became leave_message: no message was left on it
  // yet, so the number is retried after the interval.
  return r.decidedAtMs + (d.kind === 'retry_number' ? d.afterMs : s.plan.strategy.retryIntervalSeconds * 1000);
}
