import type { CallOutcome } from '../../domain/outcomes';
import type { StrategyAttempt } from '../../domain/strategies/strategy';
import type { AttemptRecord, CallResult, ContactPhone, ContactResult } from '../../domain/types';
import { record, recordAndFinish } from './activityProxies';
import { waitForCallingHours } from './callingHoursWait';
import { askGate } from './gateStep';
import { dialNumber } from './dialNumber';
import { onRefusal } from './gateRefusals';
import { prepareForCall, type PreparedForCall } from './prepareAudio';
import { replanIfChanged, sessionResult, sleepUntil, type NumberTally, type Session } from './session';

// One attempt on one number: gate → wait → prepare → call → record, with every wait on the way
// (a pause, a cap or the window at the gate, the number's calling hours, a failed prepare, a
// dead trunk) handled inside, each followed by the gate again. What comes back is what a
// workflow decides on: the attempt's outcome, or why there was none.

/** A number the carrier refused this many times in a row is left (still no attempt). */
const REFUSALS_BEFORE_NEXT_NUMBER = 5;
/** The longest a contact waits for a trunk before it asks again (a campaign change wakes it sooner). */
const TRUNK_WAIT_MAX_MS = 10 * 60_000;

export type AttemptResult =
  /** A call was placed and its attempt row written: decide on `outcome`. */
  | { kind: 'attempted'; outcome: CallOutcome; attempt: StrategyAttempt }
  /**
   * The gate refused the number for good (the blacklist, or its subscriber refused mass calls):
   * the refusal's proof row is written, no call to it will pass.
   */
  | { kind: 'blacklisted' }
  /** The number has no calling hours left (its zones never overlap the hours, or the campaign's end has passed there). */
  | { kind: 'no_calling_hours' }
  /** The carrier refused the number several times in a row: no attempt was made or recorded. */
  | { kind: 'carrier_refused' }
  /** The campaign was stopped: finish the contact 'cancelled'. */
  | { kind: 'stopped' };

/**
 * When the attempt may be placed: a moment (epoch ms), or the contact workflow's strategy
 * taking the number back. Asked before every gate, after the plan was read again.
 */
export type AttemptMoment = () => number | 'next_number' | 'give_up';

/** How the contact ends, as its workflow decided on an attempt. */
export interface AttemptEnd {
  state: ContactResult['state'];
  outcome: CallOutcome | null;
}

/**
 * The workflow's decision on a placed call, asked before its attempt row is written
 * ('lean-attempt'): pure, on the session (whose attempt log holds the attempt already).
 * `end` set: the attempt is recorded and the contact finished in one step. Null: the
 * workflow decides after the record (a strategy that reads the attempt rows).
 */
export type DecideBeforeRecord<D> = (attempt: StrategyAttempt) => { decision: D; end: AttemptEnd | null } | null;

/**
 * What attemptOn returns to a workflow that decides before the record: an attempt (recorded,
 * with the decision when there was one), or the contact finished with its attempt recorded.
 * Whichever it is, the attempt's row is written before it comes back.
 */
export type DecidedAttemptResult<D> =
  | Exclude<AttemptResult, { kind: 'attempted' }>
  | (Extract<AttemptResult, { kind: 'attempted' }> & { decided?: D })
  | { kind: 'finished'; result: ContactResult; decided: D };

/** attemptOn's answer: the contact workflow's strategy moment may also take the number back. */
export type AttemptOnResult<D> = DecidedAttemptResult<D> | { kind: 'next_number' } | { kind: 'give_up' };

/**
 * The attempt, and before its call is placed, `moment` asked again before each gate (a
 * changed campaign may move it). Once the call step is reached the moment has been kept;
 * a trunk's wait or the call activity's refusal leads back to the gate without it.
 */
export async function attemptOn<D = never>(
  s: Session, phone: ContactPhone, moment?: AttemptMoment, decide?: DecideBeforeRecord<D>,
): Promise<AttemptOnResult<D>> {
  const tally = s.perNumber.find((t) => t.position === phone.position);
  if (!tally) throw new Error(`number ${phone.position} is not one of the contact's`);
  s.progress.phonePosition = phone.position;
  /** The carrier's refusals of this number in a row (TrunkDownError, reason refused). */
  let refusalsInARow = 0;
  let when = moment;

  for (;;) {
    // The campaign changed since the plan was read (new hours, a new strategy): read it again.
    await replanIfChanged(s);
    const notBeforeMs = when ? when() : null;
    if (notBeforeMs === 'next_number') return { kind: 'next_number' };
    if (notBeforeMs === 'give_up') return { kind: 'give_up' };

    // gate
    s.progress.step = 'gate';
    const { gate, prepared: cached } = await askGate(s, phone, notBeforeMs);
    if (!gate.allowed) {
      const next = await onRefusal(s, gate, phone, true);
      if (next === 'stop') return { kind: 'stopped' };
      if (next === 'next_number') return { kind: 'blacklisted' };
      continue;
    }

    // wait
    const waited = await waitForCallingHours(s, phone, notBeforeMs ?? 0);
    if (waited === 'never') return { kind: 'no_calling_hours' };
    if (waited === 'slept') continue; // time passed: the gate speaks again first

    // prepare
    const prepared = await prepareForCall(s, cached);
    if (prepared === 'waited') continue; // the gate speaks again first

    // call
    s.progress.step = 'call';
    when = undefined;
    s.seq++;
    const called = await dialNumber(s, phone, s.seq, prepared.media, gate);
    if ('trunkDown' in called) {
      // The trunk carried nothing: no attempt, nothing to record, no strategy to ask. The
      // call activity gave the cap slot back and wrote the contact's wait.
      const down = called.trunkDown;
      if (down.reason === 'refused' && ++refusalsInARow >= REFUSALS_BEFORE_NEXT_NUMBER) return { kind: 'carrier_refused' };
      s.progress.step = 'wait';
      await sleepUntil(s, Date.now() + Math.min(TRUNK_WAIT_MAX_MS, Math.max(1000, down.retryAfterMs)));
      continue;
    }
    refusalsInARow = 0;
    const result = called;

    // record
    s.progress.step = 'record';
    const row = attemptRow(s, phone, tally, result, prepared);
    if (s.lean && decide && result.gate.allowed) {
      // Decided before the record, so that an attempt that ends the contact is recorded and
      // finished in one step; either way its row is written before anything comes back.
      const attempt = noteAttempt(s, phone, tally, result.outcome);
      const decided = decide(attempt);
      if (decided?.end) {
        const { state, outcome } = decided.end;
        s.progress.step = 'finished';
        await recordAndFinish({ attempt: row, end: decided.end });
        return { kind: 'finished', result: sessionResult(s, state, outcome), decided: decided.decision };
      }
      await record(row);
      return { kind: 'attempted', outcome: result.outcome, attempt, ...(decided ? { decided: decided.decision } : {}) };
    }
    await record(row);
    if (!result.gate.allowed) {
      // The call activity's last look, with the real clock and the caps in one transaction,
      // said no: nothing was dialled.
      const next = await onRefusal(s, result.gate, phone, false);
      if (next === 'stop') return { kind: 'stopped' };
      if (next === 'next_number') return { kind: 'blacklisted' };
      continue;
    }
    const attempt = noteAttempt(s, phone, tally, result.outcome);
    return { kind: 'attempted', outcome: result.outcome, attempt };
  }
}

/** The attempt row of a call (or of the call activity's refusal). */
function attemptRow(s: Session, phone: ContactPhone, tally: NumberTally, result: CallResult, prepared: PreparedForCall): AttemptRecord {
  const refused = result.outcome === 'refused';
  return {
    workflowId: s.workflowId, seq: s.seq, campaignId: s.plan.campaignId, contactId: s.plan.contactId,
    phonePosition: phone.position, e164: phone.e164, zones: phone.zones,
    numberAttempt: refused ? 0 : tally.attempts + 1,
    result, messageText: refused ? null : prepared.messageText, countUnanswered: s.plan.countUnanswered,
    ...(prepared.preparedId === null ? {} : { preparedId: refused ? null : prepared.preparedId }),
  };
}

/** A placed call counted on its number and in the attempt log the strategies decide on. */
function noteAttempt(s: Session, phone: ContactPhone, tally: NumberTally, outcome: CallOutcome): StrategyAttempt {
  tally.attempts++;
  tally.lastOutcome = outcome;
  s.progress.attempts++;
  s.progress.lastOutcome = outcome;
  const attempt: StrategyAttempt = { position: phone.position, outcome, atMs: Date.now() };
  s.attemptLog.push(attempt);
  return attempt;
}
