import type { PersonalDataFilter } from '../../domain/personalDataFilter';
import { writeAudit } from './apiAccess';
import type { Row } from './rows';
import type { Queryable } from './transaction';

// Contacts' personal data (docs/personalData.md): which contacts a deletion takes, what of them
// lives outside Postgres (recordings, audio, workflow histories), the erasure itself, which
// keeps the anonymous rows the campaign's counts are made of, and the audit of reads.

/** A contact still holding personal data, with what finds its parts elsewhere. */
export interface PersonalDataTarget {
  id: number;
  campaignId: string;
  externalId: string;
}

/** The filter as a WHERE clause over `contact c` (its campaign as `k`), contacts not yet erased only. */
function whereOf(f: PersonalDataFilter, params: unknown[]): string {
  const where = ['c.personal_data_deleted_at IS NULL'];
  const add = (sql: (p: string) => string, value: unknown): void => {
    params.push(value);
    where.push(sql(`$${params.length}`));
  };
  if (f.contactIds) add((p) => `c.id = ANY(${p}::bigint[])`, f.contactIds);
  if (f.campaignId) add((p) => `c.campaign_id = ${p}`, f.campaignId);
  if (f.externalIds) add((p) => `c.external_id = ANY(${p}::text[])`, f.externalIds);
  if (f.importedBefore) add((p) => `c.created_at < ${p}::timestamptz`, f.importedBefore);
  if (f.states) add((p) => `c.state = ANY(${p}::contact_state[])`, f.states);
  if (f.campaignFinishedBefore) add((p) => `k.finished_at < ${p}::timestamptz`, f.campaignFinishedBefore);
  if (f.retentionEndedBy) {
    // The campaign's own days, else its purpose's profile's: records are kept that long (152-FZ:
    // no longer than needed; MoJ order 134: a debt collector's, at least 3 years).
    add((p) => `k.state IN ('completed', 'cancelled')
      AND k.finished_at + make_interval(days => coalesce(k.personal_data_retention_days,
            (SELECT r.record_retention_days FROM rule_profile r WHERE r.purpose = k.purpose))) <= ${p}::timestamptz`, f.retentionEndedBy);
  }
  return where.join(' AND ');
}

/** How many contacts the filter takes now. */
export async function countPersonalData(db: Queryable, f: PersonalDataFilter): Promise<number> {
  const params: unknown[] = [];
  const { rows } = await db.query<{ n: string }>(
    `SELECT count(*) AS n FROM contact c JOIN campaign k ON k.id = c.campaign_id WHERE ${whereOf(f, params)}`, params);
  return Number(rows[0].n);
}

/**
 * The next `limit` contacts of the filter whose data is still there, in id order. Erased
 * contacts drop out of the filter, so the next call gives the next ones without a cursor, and a
 * batch that failed halfway is taken again whole.
 */
export async function nextPersonalDataBatch(db: Queryable, f: PersonalDataFilter, limit: number): Promise<PersonalDataTarget[]> {
  const params: unknown[] = [];
  const where = whereOf(f, params);
  params.push(limit);
  const { rows } = await db.query<Pick<Row<'contact'>, 'id' | 'campaign_id' | 'external_id'>>(
    `SELECT c.id, c.campaign_id, c.external_id FROM contact c JOIN campaign k ON k.id = c.campaign_id
      WHERE ${where} ORDER BY c.id LIMIT $${params.length}`, params);
  return rows.map((r) => ({ id: Number(r.id), campaignId: r.campaign_id, externalId: r.external_id }));
}

/** Recordings of these workflows (the contacts' attempts) still stored. */
export async function storedRecordingsOf(
  db: Queryable, workflowIds: string[],
): Promise<Pick<Row<'call_recording'>, 'id' | 'name' | 'campaign_id'>[]> {
  const { rows } = await db.query<Pick<Row<'call_recording'>, 'id' | 'name' | 'campaign_id'>>(
    'SELECT id, name, campaign_id FROM call_recording WHERE workflow_id = ANY($1::text[]) AND deleted_at IS NULL ORDER BY id', [workflowIds]);
  return rows;
}

/** A prepared message of the contacts: its assembled audio and the version it was made from. */
export type PreparedAudioRow = Pick<Row<'prepared_message'>, 'contact_id' | 'audio_key' | 'template_id' | 'template_version'>;

export async function preparedAudioOf(db: Queryable, contactIds: number[]): Promise<PreparedAudioRow[]> {
  const { rows } = await db.query<PreparedAudioRow>(
    'SELECT contact_id, audio_key, template_id, template_version FROM prepared_message WHERE contact_id = ANY($1::bigint[])', [contactIds]);
  return rows;
}

/**
 * Of these assembled audio keys, those a prepared message of another contact (one not being
 * erased) still plays: the same text makes the same file, and that contact's call needs it.
 */
export async function audioKeysStillUsed(db: Queryable, keys: string[], erasing: number[]): Promise<Set<string>> {
  if (keys.length === 0) return new Set();
  const { rows } = await db.query<{ audio_key: string }>(
    `SELECT DISTINCT audio_key FROM prepared_message
      WHERE audio_key = ANY($1::text[]) AND NOT (contact_id = ANY($2::bigint[]))`, [keys, erasing]);
  return new Set(rows.map((r) => r.audio_key));
}

/** What the erasure changed, in rows: counts only, for the audit and the job's progress. */
export interface ErasureCounts {
  contacts: number;
  phones: number;
  variables: number;
  consents: number;
  preparedMessages: number;
  attempts: number;
  importLines: number;
}

/**
 * Erases the contacts' personal data in the caller's transaction. Gone: names, the ERP's and the
 * person's ids (the contact's external id becomes `deleted-<id>`, so an ERP that sends it again
 * makes a new contact instead of waking this one), numbers, variables (amounts), consents, waits,
 * prepared messages, automatic blacklist entries its calls made, and the import lines that
 * quoted its name or a number. Kept, without a number or a text: the contact row (state,
 * outcome, attempts count), every attempt (outcome, times, campaign, gate proof), reservations
 * (caps) and the trunk's invalid results. A contact not yet ended is cancelled: nothing may call
 * it again. Contacts already erased are left as they are.
 */
export async function erasePersonalData(db: Queryable, contactIds: number[], at: Date): Promise<ErasureCounts> {
  const ids = [contactIds];
  const { rows: live } = await db.query<{ id: string }>(
    'SELECT id FROM contact WHERE id = ANY($1::bigint[]) AND personal_data_deleted_at IS NULL ORDER BY id FOR UPDATE', ids);
  const erasing = [live.map((r) => Number(r.id))];
  if (live.length === 0) return { contacts: 0, phones: 0, variables: 0, consents: 0, preparedMessages: 0, attempts: 0, importLines: 0 };
  // Import lines first, while the name and numbers they are matched by are still there: a
  // warning's line of the contact's campaign's imports quoting its name or one of its numbers.
  const lines = await db.query(
    `UPDATE list_import_issue i SET raw = '', reason = 'line deleted with its personal data'
       FROM list_import l, contact c
      WHERE l.id = i.import_id AND c.campaign_id = l.campaign_id AND c.id = ANY($1::bigint[]) AND i.raw <> ''
        AND ((length(c.full_name) >= 3 AND strpos(i.raw, c.full_name) > 0)
          OR EXISTS (SELECT 1 FROM contact_phone p WHERE p.contact_id = c.id
                      AND (strpos(i.raw, p.raw) > 0 OR strpos(i.raw, p.e164) > 0 OR strpos(i.raw, ltrim(p.e164, '+')) > 0)))`, erasing);
  const attemptIds = 'SELECT id FROM attempt WHERE contact_id = ANY($1::bigint[])';
  await db.query(`DELETE FROM blacklist WHERE source = 'automatic' AND attempt_id IN (${attemptIds})`, erasing);
  await db.query(`UPDATE trunk_invalid_result SET e164 = NULL WHERE attempt_id IN (${attemptIds}) AND e164 IS NOT NULL`, erasing);
  await db.query(
    `UPDATE call_reservation SET e164 = NULL, person_key = 'deleted:' || contact_id
      WHERE contact_id = ANY($1::bigint[]) AND (e164 IS NOT NULL OR person_key <> 'deleted:' || contact_id)`, erasing);
  const attempts = await db.query(
    'UPDATE attempt SET e164 = NULL, message_text = NULL WHERE contact_id = ANY($1::bigint[]) AND (e164 IS NOT NULL OR message_text IS NOT NULL)', erasing);
  const phones = await db.query('DELETE FROM contact_phone WHERE contact_id = ANY($1::bigint[])', erasing);
  const variables = await db.query('DELETE FROM contact_variable WHERE contact_id = ANY($1::bigint[])', erasing);
  const consents = await db.query('DELETE FROM contact_consent WHERE contact_id = ANY($1::bigint[])', erasing);
  const prepared = await db.query('DELETE FROM prepared_message WHERE contact_id = ANY($1::bigint[])', erasing);
  await db.query('DELETE FROM contact_wait WHERE contact_id = ANY($1::bigint[])', erasing);
  const contacts = await db.query(
    `UPDATE contact SET full_name = NULL, person_id = NULL, debtor_external_id = NULL, debtor_person_id = NULL,
            external_id = 'deleted-' || id,
            state = CASE WHEN state IN ('pending', 'in_progress') THEN 'cancelled'::contact_state ELSE state END,
            finished_at = coalesce(finished_at, $2), updated_at = $2, personal_data_deleted_at = $2
      WHERE id = ANY($1::bigint[])`, [erasing[0], at]);
  return {
    contacts: contacts.rowCount ?? 0, phones: phones.rowCount ?? 0, variables: variables.rowCount ?? 0, consents: consents.rowCount ?? 0,
    preparedMessages: prepared.rowCount ?? 0, attempts: attempts.rowCount ?? 0, importLines: lines.rowCount ?? 0,
  };
}

/** The audit row of one batch of a deletion: who, which job, the contacts' ids and the counts. Nothing personal. */
export async function auditErasure(db: Queryable, a: {
  actor: string; jobId: string; contactIds: number[]; counts: ErasureCounts & { recordings: number; histories: number; audioFiles: number };
}): Promise<void> {
  await writeAudit(db, {
    actor: a.actor, action: 'personal_data.deleted', entity: 'personal_data_job', entityId: a.jobId,
    details: { contactIds: a.contactIds, ...a.counts }, source: null,
  });
}

/** What a read of personal fields through the API was: one query or export and what it gave. */
export interface PersonalDataRead {
  actor: string;
  source: string | null;
  /** The API field or route read (`attempts`, `contact`, `listImportIssues`, …). */
  what: string;
  /** The campaign read, when the read names one. */
  campaignId?: string | null;
  /** The contacts whose personal fields were returned. */
  contactIds?: number[];
  /** The attempts returned (each names its contact for good: attempt rows outlive a deletion). */
  attemptIds?: number[];
  /** The filter, without the personal values it may hold (a number searched by is `byNumber: true`). */
  filter?: Record<string, unknown>;
  rows: number;
}

/** The access log of personal data: one audit row per read, with ids and counts, never the values read. */
export async function auditPersonalDataRead(db: Queryable, r: PersonalDataRead): Promise<void> {
  await writeAudit(db, {
    actor: r.actor, action: 'personal_data.read', entity: 'contact', entityId: r.campaignId ?? '',
    details: { what: r.what, contactIds: r.contactIds ?? [], attemptIds: r.attemptIds ?? [], filter: r.filter ?? {}, rows: r.rows }, source: r.source,
  });
}
