import type { Pool } from 'pg';
import type { ConsentValue } from '../../domain/consentInput';
import { InputError } from '../../domain/inputError';
import { writeAudit } from './apiAccess';
import type { Row } from './rows';
import { inTransaction, type Queryable } from './transaction';

// Consent evidence per contact and number (table contact_consent): written by the ERP's upsert
// (adapters/postgres/contactUpserts.ts) and the API, read by the gate (gate_compliance) and the
// API. Evidence is added, and withdrawn, never deleted but with its contact.

export interface ConsentRecord extends ConsentValue {
  id: number;
  contactId: number;
  createdBy: string;
  createdAt: string;
}

type ConsentRow = Pick<Row<'contact_consent'>, 'id' | 'contact_id' | 'e164' | 'source' | 'document_ref' | 'created_by'>
  & { given_at: Date; expires_at: Date | null; withdrawn_at: Date | null; created_at: Date; channel: ConsentValue['channel'] };

const COLUMNS = 'k.id, k.contact_id, k.e164, k.source, k.given_at, k.document_ref, k.channel, k.expires_at, k.withdrawn_at, k.created_by, k.created_at';

const toRecord = (r: ConsentRow): ConsentRecord => ({
  id: Number(r.id), contactId: Number(r.contact_id), e164: r.e164, source: r.source, givenAt: r.given_at.toISOString(),
  documentRef: r.document_ref, channel: r.channel, expiresAt: r.expires_at?.toISOString() ?? null,
  withdrawnAt: r.withdrawn_at?.toISOString() ?? null, createdBy: r.created_by, createdAt: r.created_at.toISOString(),
});

/** The contact (campaign, external id) and its numbers; InputError naming the field when it is not there. */
async function contactOf(db: Queryable, campaignId: string, externalId: string): Promise<{ id: string; numbers: string[] }> {
  const { rows } = await db.query<{ id: string; numbers: string[] }>(
    `SELECT c.id, coalesce(array_agg(p.e164) FILTER (WHERE p.e164 IS NOT NULL), '{}') AS numbers
       FROM contact c LEFT JOIN contact_phone p ON p.contact_id = c.id
      WHERE c.campaign_id = $1 AND c.external_id = $2 GROUP BY c.id`, [campaignId, externalId]);
  if (rows.length === 0) {
    throw new InputError(`campaign ${campaignId} has no contact ${externalId}`, [{ path: 'externalId', message: 'no such contact in this campaign' }]);
  }
  return rows[0];
}

/**
 * Records one consent for a contact's number (the same evidence again updates it, as the upsert
 * does). InputError when the contact does not exist or the number is not one of its numbers.
 */
export async function recordConsent(
  pool: Pool, at: { campaignId: string; externalId: string }, consent: ConsentValue, createdBy: string,
): Promise<ConsentRecord> {
  return inTransaction(pool, async (db) => {
    const contact = await contactOf(db, at.campaignId, at.externalId);
    if (!contact.numbers.includes(consent.e164)) {
      throw new InputError('the consent\'s number is not one of the contact\'s numbers', [{ path: 'consent.number', message: 'not one of the contact\'s numbers' }]);
    }
    await writeConsents(db, [{ id: contact.id, consent }], createdBy);
    const { rows } = await db.query<ConsentRow>(
      `SELECT ${COLUMNS} FROM contact_consent k WHERE k.contact_id = $1 AND k.e164 = $2 AND k.source = $3 AND k.given_at = $4`,
      [contact.id, consent.e164, consent.source, consent.givenAt]);
    return toRecord(rows[0]);
  });
}

/** A contact's consent evidence, newest given first. InputError when the contact does not exist. */
export async function listConsents(db: Queryable, at: { campaignId: string; externalId: string }): Promise<ConsentRecord[]> {
  const contact = await contactOf(db, at.campaignId, at.externalId);
  const { rows } = await db.query<ConsentRow>(
    `SELECT ${COLUMNS} FROM contact_consent k WHERE k.contact_id = $1 ORDER BY k.given_at DESC, k.id DESC`, [contact.id]);
  return rows.map(toRecord);
}

/**
 * Withdraws a consent at `atMs` (a withdrawal already recorded stands), with an audit row naming
 * the consent and its contact, never the number. Null when there is no such consent.
 */
export async function withdrawConsent(
  pool: Pool, id: number, atMs: number, who: { actor: string; from: string | null },
): Promise<ConsentRecord | null> {
  return inTransaction(pool, async (db) => {
    const { rows } = await db.query<ConsentRow>(
      `UPDATE contact_consent k SET withdrawn_at = coalesce(k.withdrawn_at, greatest($2::timestamptz, k.given_at))
        WHERE k.id = $1 RETURNING ${COLUMNS}`, [id, new Date(atMs).toISOString()]);
    if (rows.length === 0) return null;
    await writeAudit(db, {
      actor: who.actor, action: 'consent.withdrawn', entity: 'contact_consent', entityId: String(id), source: who.from,
      details: { contactId: Number(rows[0].contact_id) },
    });
    return toRecord(rows[0]);
  });
}

/**
 * Adds consent evidence; the same evidence again (contact, number, source, moment given) takes the
 * new expiry, document and channel, and a withdrawal (which nothing undoes: a consent given again is
 * new evidence). Returns the contacts whose evidence changed.
 */
export async function writeConsents(db: Queryable, consents: { id: string; consent: ConsentValue }[], createdBy: string): Promise<Set<string>> {
  if (consents.length === 0) return new Set();
  const { rows } = await db.query<{ contact_id: string }>(
    `INSERT INTO contact_consent AS k (contact_id, e164, source, given_at, document_ref, channel, expires_at, withdrawn_at, created_by)
     SELECT t.*, $9 FROM unnest($1::bigint[], $2::text[], $3::text[], $4::timestamptz[], $5::text[], $6::text[], $7::timestamptz[], $8::timestamptz[]) AS t
     ON CONFLICT (contact_id, e164, source, given_at) DO UPDATE
       SET document_ref = excluded.document_ref, channel = excluded.channel, expires_at = excluded.expires_at,
           withdrawn_at = coalesce(excluded.withdrawn_at, k.withdrawn_at)
       WHERE (k.document_ref, k.channel, k.expires_at, k.withdrawn_at)
             IS DISTINCT FROM (excluded.document_ref, excluded.channel, excluded.expires_at, coalesce(excluded.withdrawn_at, k.withdrawn_at))
     RETURNING k.contact_id`,
    [consents.map((c) => c.id), consents.map((c) => c.consent.e164), consents.map((c) => c.consent.source), consents.map((c) => c.consent.givenAt),
      consents.map((c) => c.consent.documentRef), consents.map((c) => c.consent.channel), consents.map((c) => c.consent.expiresAt),
      consents.map((c) => c.consent.withdrawnAt), createdBy]);
  return new Set(rows.map((r) => r.contact_id));
}
