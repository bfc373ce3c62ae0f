import { graphql, startApiWorld, type ApiWorld } from './apiWorld';

// Contact roles and consent evidence through the API: the ERP sends a third party linked to its
// debtor with its consent in upsertContacts, or records and withdraws consent on its own; bad
// input is named by its path and nothing is written.

jest.setTimeout(120_000);

const CAMPAIGN = 'consents-api';
let world: ApiWorld;

beforeAll(async () => {
  world = await startApiWorld();
  await world.db.pool.query(`INSERT INTO campaign (id, name, caller_id) VALUES ($1, 'T', '+74950000000')`, [CAMPAIGN]);
});
afterAll(async () => { await world?.close(); });

const UPSERT = `mutation($campaignId: String!, $contacts: [ContactInput!]!) {
  upsertContacts(campaignId: $campaignId, contacts: $contacts) { inserted updated unchanged } }`;
const upsert = (contacts: unknown[], key = world.keys.erp) => graphql(world.url, UPSERT, { campaignId: CAMPAIGN, contacts }, key);
const CONSENT = 'id contactId number source givenAt documentRef channel expiresAt withdrawnAt createdBy';
const consentsOf = async (externalId: string, key = world.keys.erp) => graphql(world.url,
  `query($c: String!, $e: String!) { contactConsents(campaignId: $c, externalId: $e) { ${CONSENT} } }`, { c: CAMPAIGN, e: externalId }, key);
const record = (externalId: string, consent: object, key = world.keys.erp) => graphql(world.url,
  `mutation($c: String!, $e: String!, $k: ConsentInput!) { recordConsent(campaignId: $c, externalId: $e, consent: $k) { ${CONSENT} } }`,
  { c: CAMPAIGN, e: externalId, k: consent }, key);
const withdraw = (id: number, at?: string, key = world.keys.erp) => graphql(world.url,
  'mutation($id: Int!, $at: String) { withdrawConsent(id: $id, at: $at) { id withdrawnAt } }', { id, at }, key);
const issuesOf = (a: { errors?: { extensions?: { issues?: unknown } }[] }) => a.errors?.[0]?.extensions?.issues;
const codeOf = (a: { errors?: { extensions?: { code?: string } }[] }) => a.errors?.[0]?.extensions?.code;
const contactCount = async () => (await world.db.pool.query<{ n: number }>('SELECT count(*)::int AS n FROM contact')).rows[0].n;

const debtor = { externalId: 'D-1', personId: 'P-1', phones: [{ number: '+79125000001' }] };
const thirdParty = (extra: object = {}) => ({
  externalId: 'T-1', role: 'third_party', debtor: { externalId: 'D-1', personId: 'P-1' }, phones: [{ number: '8 912 500-00-02' }],
  consents: [{ number: '+7 912 500 00 02', source: 'заявление должника', givenAt: '2026-11-01T10:00:00+03:00', documentRef: 'doc-17', channel: 'written' }],
  ...extra,
});

test('a debtor and its third party with consent are stored with their roles, link and evidence', async () => {
  const answer = await upsert([debtor, thirdParty()]);
  expect(answer.errors).toBeUndefined();
  expect(answer.data!.upsertContacts).toEqual({ inserted: 2, updated: 0, unchanged: 0 });
  const { rows } = await world.db.pool.query(
    `SELECT external_id, role, debtor_external_id, debtor_person_id, person_key FROM contact WHERE campaign_id = $1 ORDER BY external_id`, [CAMPAIGN]);
  expect(rows).toEqual([
    { external_id: 'D-1', role: 'debtor', debtor_external_id: null, debtor_person_id: null, person_key: 'P-1' },
    // Its own person for the caps: not the debtor's.
    { external_id: 'T-1', role: 'third_party', debtor_external_id: 'D-1', debtor_person_id: 'P-1', person_key: `contact:${CAMPAIGN}/T-1` },
  ]);
  const consents = (await consentsOf('T-1')).data!.contactConsents;
  expect(consents).toEqual([expect.objectContaining({
    number: '+79125000002', source: 'заявление должника', givenAt: '2026-11-01T07:00:00.000Z', documentRef: 'doc-17', channel: 'written',
    expiresAt: null, withdrawnAt: null, createdBy: 'key:test-erp',
  })]);
  // The read is in the access log, with the contact's id and no number.
  const { rows: reads } = await world.db.pool.query(
    `SELECT details FROM audit_log WHERE action = 'personal_data.read' AND details->>'what' = 'contactConsents' ORDER BY id DESC LIMIT 1`);
  expect(reads[0].details).toMatchObject({ contactIds: [consents[0].contactId], rows: 1 });
  expect(JSON.stringify(reads)).not.toContain('79125000002');
  // The same batch again changes nothing; a consent's withdrawal alone is an update.
  expect((await upsert([debtor, thirdParty()])).data!.upsertContacts).toEqual({ inserted: 0, updated: 0, unchanged: 2 });
  const withdrawn = thirdParty();
  (withdrawn.consents[0] as Record<string, unknown>).withdrawnAt = '2026-11-20T10:00:00+03:00';
  expect((await upsert([debtor, withdrawn])).data!.upsertContacts).toEqual({ inserted: 0, updated: 1, unchanged: 1 });
  // Sent again without the withdrawal, the consent stays withdrawn.
  await upsert([debtor, thirdParty()]);
  expect((await consentsOf('T-1')).data!.contactConsents[0].withdrawnAt).toBe('2026-11-20T07:00:00.000Z');
});

test('bad roles and consents are refused with their paths, and nothing is written', async () => {
  const before = await contactCount();
  const bad = await upsert([
    thirdParty({ externalId: 'T-2', debtor: null }),
    thirdParty({ externalId: 'T-3', consents: [{ number: '+79125000002', givenAt: '2026-11-01T10:00:00Z' }] }),
    thirdParty({ externalId: 'T-4', consents: [{ number: '+79125000002', source: 'form' }] }),
    thirdParty({ externalId: 'T-5', consents: [{ number: '+79125000009', source: 'form', givenAt: '2026-11-01T10:00:00Z' }] }),
    thirdParty({ externalId: 'T-6', personId: 'P-1' }),
    { ...debtor, externalId: 'D-2', debtor: { externalId: 'D-1' } },
    thirdParty({ externalId: 'T-7', consents: [{ number: '+79125000002', source: 'form', givenAt: '2026-11-01T10:00:00Z', expiresAt: '2026-10-01T00:00:00Z' }] }),
  ]);
  expect(codeOf(bad)).toBe('BAD_USER_INPUT');
  expect(issuesOf(bad)).toEqual([
    { path: 'contacts.0.debtor', message: 'required for a third party: the debtor\'s externalId or personId' },
    { path: 'contacts.1.consents.0.source', message: 'required: where the consent comes from' },
    { path: 'contacts.2.consents.0.givenAt', message: 'required: when the consent was given' },
    { path: 'contacts.3.consents.0.number', message: 'not one of the contact\'s phones' },
    { path: 'contacts.4.personId', message: 'a third party is a person of its own: not the debtor\'s personId (caps count per person)' },
    { path: 'contacts.5.debtor', message: 'only for role third_party' },
    { path: 'contacts.6.consents.0.expiresAt', message: 'must be after givenAt' },
  ]);
  expect(await contactCount()).toBe(before);
});

test('consent recorded and withdrawn on its own; the viewer may neither read nor write it; a withdrawal is audited', async () => {
  await upsert([debtor, thirdParty({ externalId: 'T-8', phones: [{ number: '+79125000008' }], consents: [] })]);
  const noSource = await record('T-8', { number: '+79125000008', source: '  ', givenAt: '2026-11-02T10:00:00Z' });
  expect(issuesOf(noSource)).toEqual([{ path: 'consent.source', message: 'required: where the consent comes from' }]);
  expect(issuesOf(await record('T-8', { number: '+79125000001', source: 'call', givenAt: '2026-11-02T10:00:00Z' })))
    .toEqual([{ path: 'consent.number', message: 'not one of the contact\'s numbers' }]);
  expect(issuesOf(await record('NOPE', { number: '+79125000008', source: 'call', givenAt: '2026-11-02T10:00:00Z' })))
    .toEqual([{ path: 'externalId', message: 'no such contact in this campaign' }]);
  expect(codeOf(await record('T-8', { number: '+79125000008', source: 'call', givenAt: '2026-11-02T10:00:00Z' }, world.keys.viewer))).toBe('FORBIDDEN');
  expect(codeOf(await consentsOf('T-8', world.keys.viewer))).toBe('FORBIDDEN');

  const made = await record('T-8', { number: '+79125000008', source: 'recorded call 55', givenAt: '2026-11-02T10:00:00Z', channel: 'recorded_call' }, world.keys.supervisor);
  expect(made.errors).toBeUndefined();
  const c = made.data!.recordConsent;
  expect(c).toMatchObject({ number: '+79125000008', channel: 'recorded_call', createdBy: 'key:test-supervisor', withdrawnAt: null });
  expect((await withdraw(c.id, '2026-11-10T00:00:00Z')).data!.withdrawConsent).toEqual({ id: c.id, withdrawnAt: '2026-11-10T00:00:00.000Z' });
  // A withdrawal already recorded stands.
  expect((await withdraw(c.id, '2026-11-12T00:00:00Z')).data!.withdrawConsent.withdrawnAt).toBe('2026-11-10T00:00:00.000Z');
  expect((await withdraw(999_999)).data!.withdrawConsent).toBeNull();
  const { rows } = await world.db.pool.query(`SELECT actor, details FROM audit_log WHERE action = 'consent.withdrawn' AND entity_id = $1`, [String(c.id)]);
  expect(rows).toHaveLength(2);
  expect(rows[0]).toEqual({ actor: 'key:test-erp', details: { contactId: c.contactId } });
});
