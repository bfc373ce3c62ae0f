import type { Pool, PoolClient } from 'pg';
import type { ConsentValue } from '../../domain/consentInput';
import type { ContactPhoneValue, ContactValue } from '../../domain/contactInput';
import { InputError } from '../../domain/inputError';
import type { CampaignState, ContactState } from '../../domain/outcomes';
import { writeConsents } from './contactConsents';
import type { Row } from './rows';
import { inTransaction, type Queryable } from './transaction';

// Contacts the ERP pushes (upsertContacts): each is inserted, updated where it differs from what
// is stored, or left alone, in one transaction per call. Idempotent on (campaign, external id).
//
// A contact already started (its workflow runs, or has finished) keeps its attempts and its
// numbers: the workflow dials the numbers it read when it started, and each attempt names its
// number by position in that list, so that list is not rewritten under it. Its name, person,
// zone and variables are updated (attempt rows keep the message as it was said). Each change
// not applied, or applied too late to matter, comes back as a warning with the contact's path.
//
// Consent evidence is added, never removed by leaving it out: the same consent again (number,
// source, moment given) takes its new expiry, document and channel, and a withdrawal. A consent changes
// what the gate says at once, whether the contact has started or not.

/** Contacts may be added to a campaign in these states (through the API, or by a list import). */
export const CONTACT_WRITABLE_STATES: readonly CampaignState[] = ['draft', 'running', 'paused'];

export interface UpsertIssue {
  path: string;
  message: string;
}

export interface UpsertReport {
  campaignState: CampaignState;
  inserted: number;
  updated: number;
  unchanged: number;
  warnings: UpsertIssue[];
}

type StoredPhone = Pick<Row<'contact_phone'>, 'position' | 'e164' | 'raw' | 'note' | 'kind'>;

interface StoredContact extends Pick<Row<'contact'>,
  'id' | 'external_id' | 'full_name' | 'time_zone' | 'person_id' | 'debtor_external_id' | 'debtor_person_id'> {
  role: ContactValue['role'];
  state: ContactState;
  phones: StoredPhone[];
  variables: Record<string, string>;
}

/** What differs between a stored contact and the one given; empty lists: nothing. */
export interface ContactChanges {
  row: boolean; // name, person, zone, role or debtor
  phoneUpserts: (ContactPhoneValue & { position: number })[];
  phonesAfter: number | null; // positions above this are dropped (null: none are)
  variableUpserts: [string, string][];
  variableDeletes: string[];
}

/** The differences, part by part: only what changed is written. */
export function contactChanges(stored: StoredContact, given: ContactValue): ContactChanges {
  const row = stored.full_name !== given.fullName || stored.time_zone !== given.timeZone || stored.person_id !== given.personId
    || stored.role !== given.role || stored.debtor_external_id !== (given.debtor?.externalId ?? null)
    || stored.debtor_person_id !== (given.debtor?.personId ?? null);
  const byPosition = new Map(stored.phones.map((p) => [p.position, p]));
  const phoneUpserts = given.phones.flatMap((p, i) => {
    const s = byPosition.get(i + 1);
    const same = s !== undefined && s.e164 === p.e164 && s.raw === p.raw && s.note === p.note && s.kind === p.kind;
    return same ? [] : [{ ...p, position: i + 1 }];
  });
  const phonesAfter = stored.phones.some((p) => p.position > given.phones.length) ? given.phones.length : null;
  const wanted = new Map(given.variables.map((v) => [v.key, v.value]));
  const variableUpserts = [...wanted].filter(([k, v]) => !Object.hasOwn(stored.variables, k) || stored.variables[k] !== v);
  const variableDeletes = Object.keys(stored.variables).filter((k) => !wanted.has(k));
  return { row, phoneUpserts, phonesAfter, variableUpserts, variableDeletes };
}

const FINISHED: ReadonlySet<ContactState> = new Set(['done', 'failed', 'blacklisted', 'cancelled', 'expired', 'refused']);

/**
 * One writer of a campaign's contacts at a time, until the transaction ends: upsertContacts and a
 * list import's merge (imports/contactList.ts).
 */
export async function lockCampaignContacts(db: Queryable, campaignId: string): Promise<void> {
  await db.query(`SELECT pg_advisory_xact_lock(hashtextextended('contact-upsert:' || $1, 0))`, [campaignId]);
}

/**
 * Inserts or updates the batch's contacts in the campaign, in one transaction. Throws InputError
 * (nothing written) when the campaign does not exist or no longer takes contacts.
 */
export async function upsertContacts(
  pool: Pool, campaignId: string, contacts: readonly ContactValue[], createdBy: string,
): Promise<UpsertReport> {
  return inTransaction(pool, async (db) => {
    // FOR SHARE: the campaign cannot be completed or cancelled while contacts are added to it.
    const { rows: campaigns } = await db.query<{ state: CampaignState }>('SELECT state FROM campaign WHERE id = $1 FOR SHARE', [campaignId]);
    if (campaigns.length === 0) throw new InputError(`campaign ${campaignId} does not exist`, [{ path: 'campaignId', message: 'does not exist' }]);
    const campaignState = campaigns[0]!.state;
    if (!CONTACT_WRITABLE_STATES.includes(campaignState)) {
      throw new InputError(`campaign ${campaignId} is ${campaignState}: contacts can only be added to a draft, running or paused campaign`,
        [{ path: 'campaignId', message: `is ${campaignState}` }]);
    }
    // Two calls for one campaign at once would each find a new contact missing and both insert it.
    await lockCampaignContacts(db, campaignId);

    const stored = await readStored(db, campaignId, contacts.map((c) => c.externalId));
    const report: UpsertReport = { campaignState, inserted: 0, updated: 0, unchanged: 0, warnings: [] };
    const fresh: ContactValue[] = [];
    const rowUpdates: { id: string; contact: ContactValue }[] = [];
    const phoneUpserts: { id: string; phone: ContactPhoneValue & { position: number } }[] = [];
    const phoneCuts: { id: string; after: number }[] = [];
    const variableUpserts: { id: string; name: string; value: string }[] = [];
    const variableDeletes: { id: string; name: string }[] = [];
    const consents: { id: string; consent: ConsentValue }[] = [];
    const unchanged = new Set<string>();

    contacts.forEach((contact, index) => {
      const s = stored.get(contact.externalId);
      if (!s) {
        fresh.push(contact);
        return;
      }
      for (const consent of contact.consents) consents.push({ id: s.id, consent });
      const changes = contactChanges(s, contact);
      const phonesDiffer = changes.phoneUpserts.length > 0 || changes.phonesAfter !== null;
      const variablesDiffer = changes.variableUpserts.length > 0 || changes.variableDeletes.length > 0;
      const started = s.state !== 'pending';
      if (phonesDiffer && started) {
        report.warnings.push({ path: `contacts.${index}.phones`, message: numbersKeptReason(s.state) });
      }
      const applyPhones = phonesDiffer && !started;
      if (!changes.row && !applyPhones && !variablesDiffer) {
        unchanged.add(s.id);
        return;
      }
      report.updated++;
      rowUpdates.push({ id: s.id, contact });
      if (applyPhones) {
        for (const phone of changes.phoneUpserts) phoneUpserts.push({ id: s.id, phone });
        if (changes.phonesAfter !== null) phoneCuts.push({ id: s.id, after: changes.phonesAfter });
      }
      for (const [name, value] of changes.variableUpserts) variableUpserts.push({ id: s.id, name, value });
      for (const name of changes.variableDeletes) variableDeletes.push({ id: s.id, name });
      if (started && (variablesDiffer || changes.row)) {
        report.warnings.push({ path: `contacts.${index}`, message: lateChangeReason(s.state) });
      }
    });

    const inserted = await insertContacts(db, campaignId, fresh);
    report.inserted = inserted.size;
    const freshPhones: typeof phoneUpserts = [];
    const freshVariables: typeof variableUpserts = [];
    for (const contact of fresh) {
      const id = inserted.get(contact.externalId)!;
      contact.phones.forEach((phone, i) => freshPhones.push({ id, phone: { ...phone, position: i + 1 } }));
      for (const v of contact.variables) freshVariables.push({ id, name: v.key, value: v.value });
      for (const consent of contact.consents) consents.push({ id, consent });
    }
    await updateRows(db, rowUpdates);
    await cutPhones(db, phoneCuts);
    await writePhones(db, freshPhones, false);
    await writePhones(db, phoneUpserts, true);
    await deleteVariables(db, variableDeletes);
    await writeVariables(db, freshVariables, false);
    await writeVariables(db, variableUpserts, true);
    // A contact whose only change is its consent evidence was updated too.
    for (const id of await writeConsents(db, consents, createdBy)) {
      if (unchanged.delete(id)) report.updated++;
    }
    report.unchanged = unchanged.size;
    return report;
  });
}

function numbersKeptReason(state: ContactState): string {
  if (state === 'in_progress') {
    return 'numbers not changed: the contact is being called, and its calls use the numbers they started with (blacklist a number to stop calls to it now)';
  }
  return `numbers not changed: the contact has finished (${state}) and is not called again in this campaign`;
}

function lateChangeReason(state: ContactState): string {
  if (FINISHED.has(state)) return `stored, but the contact has finished (${state}) and is not called again in this campaign`;
  return 'stored; a message already prepared for this contact keeps the values it was prepared with';
}

async function readStored(db: PoolClient, campaignId: string, externalIds: string[]): Promise<Map<string, StoredContact>> {
  if (externalIds.length === 0) return new Map();
  // FOR NO KEY UPDATE: the campaign workflow cannot start one of these contacts (pending to
  // in_progress) between this read and the numbers written for it.
  const { rows } = await db.query<StoredContact>(
    `SELECT c.id, c.external_id, c.state, c.full_name, c.time_zone, c.person_id, c.role, c.debtor_external_id, c.debtor_person_id,
            coalesce((SELECT json_agg(json_build_object('position', p.position, 'e164', p.e164, 'raw', p.raw, 'note', p.note, 'kind', p.kind)
                                ORDER BY p.position)
                        FROM contact_phone p WHERE p.contact_id = c.id), '[]') AS phones,
            coalesce((SELECT json_object_agg(v.name, v.value) FROM contact_variable v WHERE v.contact_id = c.id), '{}') AS variables
       FROM contact c
      WHERE c.campaign_id = $1 AND c.external_id = ANY ($2::text[])
        FOR NO KEY UPDATE OF c`,
    [campaignId, externalIds]);
  return new Map(rows.map((r) => [r.external_id, r]));
}

// Multi-row statements over unnest()ed arrays: one round trip per table and kind of change.

async function insertContacts(db: PoolClient, campaignId: string, contacts: ContactValue[]): Promise<Map<string, string>> {
  if (contacts.length === 0) return new Map();
  const { rows } = await db.query<{ id: string; external_id: string }>(
    `INSERT INTO contact (campaign_id, external_id, full_name, time_zone, person_id, role, debtor_external_id, debtor_person_id)
     SELECT $1, * FROM unnest($2::text[], $3::text[], $4::text[], $5::text[], $6::text[], $7::text[], $8::text[])
     ON CONFLICT (campaign_id, external_id) DO NOTHING
     RETURNING id, external_id`,
    [campaignId, contacts.map((c) => c.externalId), contacts.map((c) => c.fullName), contacts.map((c) => c.timeZone), contacts.map((c) => c.personId),
      contacts.map((c) => c.role), contacts.map((c) => c.debtor?.externalId ?? null), contacts.map((c) => c.debtor?.personId ?? null)]);
  if (rows.length !== contacts.length) {
    // A list import of the same campaign added one of them since it was looked up.
    throw new Error('some of these contacts were added by another import meanwhile: nothing was written; call again');
  }
  return new Map(rows.map((r) => [r.external_id, r.id]));
}

async function updateRows(db: PoolClient, updates: { id: string; contact: ContactValue }[]): Promise<void> {
  if (updates.length === 0) return;
  await db.query(
    `UPDATE contact c SET full_name = t.full_name, time_zone = t.time_zone, person_id = t.person_id, role = t.role,
            debtor_external_id = t.debtor_external_id, debtor_person_id = t.debtor_person_id, updated_at = now()
       FROM unnest($1::bigint[], $2::text[], $3::text[], $4::text[], $5::text[], $6::text[], $7::text[])
         AS t (id, full_name, time_zone, person_id, role, debtor_external_id, debtor_person_id)
      WHERE c.id = t.id`,
    [updates.map((u) => u.id), updates.map((u) => u.contact.fullName), updates.map((u) => u.contact.timeZone), updates.map((u) => u.contact.personId),
      updates.map((u) => u.contact.role), updates.map((u) => u.contact.debtor?.externalId ?? null),
      updates.map((u) => u.contact.debtor?.personId ?? null)]);
}

async function cutPhones(db: PoolClient, cuts: { id: string; after: number }[]): Promise<void> {
  if (cuts.length === 0) return;
  await db.query(
    `DELETE FROM contact_phone p USING unnest($1::bigint[], $2::integer[]) AS t (contact_id, after)
      WHERE p.contact_id = t.contact_id AND p.position > t.after`,
    [cuts.map((c) => c.id), cuts.map((c) => c.after)]);
}

/** New contacts' rows are plain inserts; `replace` rewrites a position or a name already there. */
async function writePhones(
  db: PoolClient, phones: { id: string; phone: ContactPhoneValue & { position: number } }[], replace: boolean,
): Promise<void> {
  if (phones.length === 0) return;
  await db.query(
    `INSERT INTO contact_phone (contact_id, position, e164, raw, note, kind)
     SELECT * FROM unnest($1::bigint[], $2::integer[], $3::text[], $4::text[], $5::text[], $6::text[])
     ${replace ? `ON CONFLICT (contact_id, position) DO UPDATE
       SET e164 = excluded.e164, raw = excluded.raw, note = excluded.note, kind = excluded.kind` : ''}`,
    [phones.map((p) => p.id), phones.map((p) => p.phone.position), phones.map((p) => p.phone.e164), phones.map((p) => p.phone.raw),
      phones.map((p) => p.phone.note), phones.map((p) => p.phone.kind)]);
}

async function deleteVariables(db: PoolClient, deletes: { id: string; name: string }[]): Promise<void> {
  if (deletes.length === 0) return;
  await db.query(
    `DELETE FROM contact_variable v USING unnest($1::bigint[], $2::text[]) AS t (contact_id, name)
      WHERE v.contact_id = t.contact_id AND v.name = t.name`,
    [deletes.map((d) => d.id), deletes.map((d) => d.name)]);
}

async function writeVariables(db: PoolClient, variables: { id: string; name: string; value: string }[], replace: boolean): Promise<void> {
  if (variables.length === 0) return;
  await db.query(
    `INSERT INTO contact_variable (contact_id, name, value)
     SELECT * FROM unnest($1::bigint[], $2::text[], $3::text[])
     ${replace ? 'ON CONFLICT (contact_id, name) DO UPDATE SET value = excluded.value' : ''}`,
    [variables.map((v) => v.id), variables.map((v) => v.name), variables.map((v) => v.value)]);
}
