import type { Pool } from 'pg';
import { insertAttempt, lastCallsAllIn } from '../adapters/postgres/attempts';
import { addAutomaticEntry } from '../adapters/postgres/blacklist';
import { blacklistInvalidNumber } from '../adapters/postgres/autoBlacklist';
import { notifyCampaignChanged, notifyContactsCampaignChanged } from '../adapters/postgres/campaignChanges';
import { readUnreachableRule } from '../adapters/postgres/campaignRules';
import { settleCapSlot } from '../adapters/postgres/caps';
import { countContactAttempt, finishContactAfterAttempt, markContactFinished } from '../adapters/postgres/contacts';
import { inTransaction, type Queryable } from '../adapters/postgres/transaction';
import { clearContactWait, readRetryStrategy, setContactWait } from '../adapters/postgres/waits';
import { waitOfRefusal } from '../domain/contactWaits';
import { decide } from '../domain/decide';
import { UNANSWERED_OUTCOMES, type CallOutcome } from '../domain/outcomes';
import type { AttemptRecord, ContactResult } from '../domain/types';
import { countRecordedAttempt } from '../adapters/metrics/dialerMetrics';

const UNANSWERED: ReadonlySet<CallOutcome> = new Set(UNANSWERED_OUTCOMES);

/** Outcomes that say the subscriber could not be reached, for "unreachable N times in a row". */
const UNREACHABLE: readonly CallOutcome[] = ['no_answer', 'failed'];

/**
 * The "record" step: one attempt row, the source of reports and live status. Idempotent on
 * (workflow_id, seq), because a local activity may run again after a worker crash. In the
 * same transaction: the call's cap reservation is settled, and a number proven invalid (or
 * unreachable as often as the campaign allows) goes to the blacklist, citing this attempt.
 */
export async function record(pool: Pool, a: AttemptRecord): Promise<number> {
  let inserted = false; // counted after the commit, once: a rerun finds the row there
  const id = await inTransaction(pool, async (client) => {
    const attempt = await insertAndSettle(client, a);
    if (!attempt.inserted) return attempt.id;
    inserted = true;
    await noteWait(client, a);
    if (a.result.outcome !== 'refused') await countContactAttempt(client, a.contactId, a.campaignId);
    else await notifyCampaignChanged(client, a.campaignId);
    return attempt.id;
  });
  if (inserted) countRecordedAttempt(a.result.outcome);
  return id;
}

/** How the contact ends after the attempt its workflow decided on before recording it. */
export interface ContactEnd {
  state: ContactResult['state'];
  outcome: CallOutcome | null;
}

/**
 * The record step and the contact's end in one transaction ('lean-attempt'): the attempt row
 * (the proof) with its outcome, the cap slot settled, the blacklist rules, then the contact's
 * state, its wait cleared and the campaign told, so a contact is never finished without its
 * last attempt nor left unfinished with it. A rerun after a crash finds the row there, counts
 * nothing again and writes the same end.
 */
export async function recordAndFinish(pool: Pool, a: AttemptRecord, end: ContactEnd): Promise<number> {
  let inserted = false;
  const id = await inTransaction(pool, async (client) => {
    const attempt = await insertAndSettle(client, a);
    inserted = attempt.inserted;
    const counted = attempt.inserted && a.result.outcome !== 'refused' ? 1 : 0;
    await finishContactAfterAttempt(client, { contactId: a.contactId, counted, state: end.state, outcome: end.outcome });
    return attempt.id;
  });
  if (inserted) countRecordedAttempt(a.result.outcome);
  return id;
}

/**
 * The attempt row once, and what follows from it the first time only: the call's cap slot
 * settled, an invalid or unreachable number blacklisted citing it.
 */
async function insertAndSettle(client: Queryable, a: AttemptRecord): Promise<{ id: number; inserted: boolean }> {
  const r = a.result;
  // The text said comes from the prepared message (the workflow holds only its id), read by the
  // insert itself; contacts recorded before 'speech-prepare' still pass the text.
  const attempt = await insertAttempt(client, a);
  if (!attempt.inserted) return attempt;
  if (r.channelId) {
    await settleCapSlot(client, r.channelId, !a.countUnanswered && UNANSWERED.has(r.outcome), attempt.id);
  }
  if (r.outcome === 'invalid_number') {
    await blacklistInvalidNumber(client, a, attempt.id); // as the trunk's rule and breaker allow
  } else if (UNREACHABLE.includes(r.outcome)) {
    await blacklistIfUnreachable(client, a, attempt.id);
  }
  return attempt;
}

/**
 * What the contact waits for after this attempt (domain/contactWaits.ts): a refusal's wait, or
 * the strategy's retry interval; nothing when it goes on to a number or ends. The gate writes
 * the waits it sees itself; a refusal recorded here may come from elsewhere (the originate's
 * admission), so it is written again, the same.
 */
async function noteWait(db: Queryable, a: AttemptRecord): Promise<void> {
  const r = a.result;
  const atMs = Date.parse(r.endedAt);
  if (!r.gate.allowed) {
    const wait = waitOfRefusal(r.gate, a.zones);
    if (wait) await setContactWait(db, { ...wait, contactId: a.contactId, campaignId: a.campaignId, atMs });
    else await clearContactWait(db, a.contactId);
    return;
  }
  const strategy = await readRetryStrategy(db, a.campaignId);
  const decision = strategy && decide(strategy, r.outcome, a.numberAttempt);
  if (decision?.kind === 'retry_number') {
    await setContactWait(db, {
      reason: 'retry_interval', detail: r.outcome, until: new Date(atMs + decision.afterMs).toISOString(),
      contactId: a.contactId, campaignId: a.campaignId, atMs,
    });
  } else {
    await clearContactWait(db, a.contactId);
  }
}

async function blacklistIfUnreachable(db: Queryable, a: AttemptRecord, attemptId: number): Promise<void> {
  const n = await readUnreachableRule(db, a.campaignId);
  if (!n) return;
  if (await lastCallsAllIn(db, a.e164, n, UNREACHABLE)) {
    await addAutomaticEntry(db, a.e164, `unreachable ${n} times in a row`, attemptId);
  }
}

/**
 * The contact's message could not be prepared (the speech service refused or is down, or the
 * template cannot be said for it): it waits, and nothing is dialled. `detail` names the error
 * type and status or field, never a value.
 */
export async function speechFailed(pool: Pool, q: { campaignId: string; contactId: number; detail: string }): Promise<void> {
  await inTransaction(pool, async (client) => {
    await setContactWait(client, { reason: 'speech_failure', detail: q.detail, until: null, contactId: q.contactId, campaignId: q.campaignId, atMs: Date.now() });
    await notifyCampaignChanged(client, q.campaignId);
  });
}

/** The end of the contact: its state and last outcome; it waits for nothing any more. */
export async function finish(
  pool: Pool, contactId: number, state: ContactResult['state'], outcome: CallOutcome | null,
): Promise<void> {
  await inTransaction(pool, async (client) => {
    await markContactFinished(client, contactId, state, outcome);
    await clearContactWait(client, contactId);
    await notifyContactsCampaignChanged(client, contactId);
  });
}
