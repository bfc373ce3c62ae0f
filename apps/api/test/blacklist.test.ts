import { addAutomaticEntry } from '../../../adapters/postgres/blacklist';
import { createTestCampaign, insertContact } from '../../../test/fixtures';
import { graphql, startApiWorld, type ApiWorld } from './apiWorld';

// The blacklist through the API: entries added one at a time and in bulk, listed, checked with
// the gate's own lookup, and removed.

jest.setTimeout(120_000);

let world: ApiWorld;
beforeAll(async () => { world = await startApiWorld(); });
afterAll(async () => { await world?.close(); });

const ENTRY = 'id kind number prefix rangeFrom rangeTo group reason source createdBy createdAt expiresAt attemptId';
const addOne = (entry: object, key = world.keys.erp) =>
  graphql(world.url, `mutation($entry: BlacklistEntryInput!) { addBlacklistEntry(entry: $entry) { ${ENTRY} } }`, { entry }, key);
const addMany = (entries: object[], key = world.keys.erp) =>
  graphql(world.url, `mutation($entries: [BlacklistEntryInput!]!) { addBlacklistEntries(entries: $entries) { received added alreadyPresent } }`, { entries }, key);
const check = async (number: string, campaignId?: string, at?: string) => (await graphql(world.url,
  `query($number: String!, $campaignId: String, $at: String) { blacklistCheck(number: $number, campaignId: $campaignId, at: $at) {
     number blocked ignoredGroups entry { id kind group reason } } }`, { number, campaignId, at }, world.keys.viewer)).data!.blacklistCheck;
const remove = (id: number, key = world.keys.erp) =>
  graphql(world.url, `mutation($id: Int!) { removeBlacklistEntry(id: $id) }`, { id }, key);
const list = async (filter: object, after?: number, first = 50) => (await graphql(world.url,
  `query($filter: BlacklistFilterInput, $after: Int, $first: Int!) { blacklistEntries(filter: $filter, after: $after, first: $first) { id kind group source attemptId } }`,
  { filter, after, first }, world.keys.viewer)).data!.blacklistEntries as { id: number; kind: string; group: string; source: string; attemptId: number | null }[];
const issuesOf = (a: { errors?: { extensions?: { issues?: unknown } }[] }) => a.errors?.[0]?.extensions?.issues;
const count = async () => (await world.db.pool.query<{ n: number }>('SELECT count(*)::int AS n FROM blacklist')).rows[0].n;

test('an exact number is stored in E.164 with the caller as its author, and blocks that number', async () => {
  const answer = await addOne({ kind: 'exact', number: '8 (912) 000-11-22', reason: 'asked not to be called' });
  expect(answer.errors).toBeUndefined();
  const e = answer.data!.addBlacklistEntry;
  expect(e).toMatchObject({
    kind: 'exact', number: '+79120001122', prefix: null, rangeFrom: null, group: 'default', reason: 'asked not to be called',
    source: 'erp', createdBy: 'key:test-erp', expiresAt: null, attemptId: null,
  });
  expect(await check('+7 912 000-11-22')).toEqual({
    number: '+79120001122', blocked: true, ignoredGroups: [], entry: { id: e.id, kind: 'exact', group: 'default', reason: 'asked not to be called' },
  });
  expect((await check('+79120001123')).blocked).toBe(false);
  // The same entry again is the same entry.
  expect((await addOne({ kind: 'exact', number: '+79120001122', reason: 'asked not to be called' })).data!.addBlacklistEntry.id).toBe(e.id);
});

test('a prefix and a range block the numbers they hold; a person\'s entry is manual by default', async () => {
  const p = (await addOne({ kind: 'prefix', prefix: '+7913555', reason: 'test range', group: 'staff' }, world.keys.supervisor)).data!.addBlacklistEntry;
  expect(p).toMatchObject({ kind: 'prefix', prefix: '+7913555', source: 'manual', createdBy: 'key:test-supervisor', group: 'staff' });
  const r = (await addOne({ kind: 'range', rangeFrom: '+74951230000', rangeTo: '+74951239999', reason: 'office', source: 'import' })).data!.addBlacklistEntry;
  expect(r).toMatchObject({ kind: 'range', rangeFrom: '+74951230000', rangeTo: '+74951239999', source: 'import' });
  expect((await check('+79135551234')).entry).toMatchObject({ id: p.id, kind: 'prefix' });
  expect((await check('+74951235555')).entry).toMatchObject({ id: r.id, kind: 'range' });
  expect((await check('+74951240000')).blocked).toBe(false);
});

test('bad entries are refused with their field paths', async () => {
  const before = await count();
  expect(issuesOf(await addOne({ kind: 'range', rangeFrom: '+74951230000', rangeTo: '+7495123999', reason: 'x' })))
    .toEqual([{ path: 'rangeTo', message: 'has 10 digits, rangeFrom has 11' }]);
  expect(issuesOf(await addOne({ kind: 'exact', number: 'no number', reason: 'x' })))
    .toEqual([{ path: 'number', message: 'not a phone number: contains letters' }]);
  expect(issuesOf(await addOne({ kind: 'prefix', prefix: '+7495', reason: 'x', expiresAt: '2020-01-01T00:00:00Z' })))
    .toEqual([{ path: 'expiresAt', message: 'must be in the future' }]);
  expect(issuesOf(await addOne({ kind: 'exact', number: '+79120001122', reason: ' ' }))).toEqual([{ path: 'reason', message: 'must not be empty' }]);
  expect(issuesOf(await addOne({ kind: 'exact', number: '+79120001122', rangeTo: '+79120001122', reason: 'x' })))
    .toEqual([{ path: 'rangeTo', message: 'only for kind range' }]);
  // GraphQL itself refuses a kind it does not know, naming the field.
  expect((await addOne({ kind: 'everything', reason: 'x' })).errors![0].message).toMatch(/entry\.kind|"kind"/);
  expect(await count()).toBe(before);
});

test('a bulk add is all or nothing: one bad entry is named by its index and nothing is written', async () => {
  const before = await count();
  const answer = await addMany([
    { kind: 'exact', number: '+79160000001', reason: 'bulk' },
    { kind: 'prefix', prefix: '+7916111', reason: 'bulk' },
    { kind: 'range', rangeFrom: '+79162220000', rangeTo: '+79162210000', reason: 'bulk' },
  ]);
  expect(answer.errors![0].extensions).toMatchObject({
    code: 'BAD_USER_INPUT', issues: [{ path: 'entries.2.rangeTo', message: 'must not be before rangeFrom' }],
  });
  expect(answer.errors![0].message).toBe('entries.2.rangeTo: must not be before rangeFrom');
  expect(await count()).toBe(before);
  expect((await check('+79160000001')).blocked).toBe(false);
});

test('a bulk add of 10,000 entries is one call, and sending it again adds nothing', async () => {
  const entries = Array.from({ length: 10_000 }, (_, i) => ({
    kind: 'exact', number: `+7917${String(i).padStart(7, '0')}`, reason: 'erp do-not-call list', group: 'erp-dnc',
  }));
  // The same entry twice in one call is one entry.
  entries[9_999] = entries[0];
  const started = Date.now();
  const first = await addMany(entries);
  const firstMs = Date.now() - started;
  expect(first.errors).toBeUndefined();
  expect(first.data!.addBlacklistEntries).toEqual({ received: 10_000, added: 9_999, alreadyPresent: 1 });
  const again = await addMany(entries);
  expect(again.data!.addBlacklistEntries).toEqual({ received: 10_000, added: 0, alreadyPresent: 10_000 });
  expect((await world.db.pool.query(`SELECT count(*)::int AS n FROM blacklist WHERE group_name = 'erp-dnc'`)).rows[0].n).toBe(9_999);
  expect((await check('+79170001234')).entry).toMatchObject({ group: 'erp-dnc' });
  process.stdout.write(`bulk add of 10,000 entries: ${firstMs} ms\n`);
  const tooMany = await addMany([...entries, entries[0]]);
  expect(issuesOf(tooMany)).toEqual([{ path: 'entries', message: 'at most 10000 entries in one call' }]);
});

test('a removed entry no longer blocks', async () => {
  const e = (await addOne({ kind: 'exact', number: '+79180000001', reason: 'removed later' })).data!.addBlacklistEntry;
  expect((await check('+79180000001')).entry.id).toBe(e.id);
  expect((await remove(e.id)).data).toEqual({ removeBlacklistEntry: true });
  expect(await check('+79180000001')).toMatchObject({ blocked: false, entry: null });
  expect((await remove(e.id)).data).toEqual({ removeBlacklistEntry: false });
  const audit = await world.db.pool.query(`SELECT actor, details FROM audit_log WHERE action = 'blacklist.removed' AND entity_id = $1`, [String(e.id)]);
  expect(audit.rows).toEqual([{ actor: 'key:test-erp', details: { kind: 'exact', group: 'default', source: 'erp', attemptId: null } }]);
  expect(JSON.stringify(audit.rows)).not.toContain('79180000001');
});

test('an entry stops blocking when it expires', async () => {
  const expiresAt = new Date(Date.now() + 1_500).toISOString();
  const e = (await addOne({ kind: 'exact', number: '+79180000002', reason: 'for a while', expiresAt })).data!.addBlacklistEntry;
  expect(e.expiresAt).toBe(expiresAt);
  expect((await check('+79180000002')).blocked).toBe(true);
  // Asked about a moment after the expiry, and then at that moment.
  expect((await check('+79180000002', undefined, new Date(Date.parse(expiresAt) + 1).toISOString())).blocked).toBe(false);
  await new Promise((r) => setTimeout(r, Date.parse(expiresAt) - Date.now() + 50));
  expect((await check('+79180000002')).blocked).toBe(false);
  expect((await list({ number: '+79180000002', live: false })).map((x) => x.id)).toEqual([e.id]);
  expect(await list({ number: '+79180000002', live: true })).toEqual([]);
});

test('a campaign that ignores a group is not blocked by its entries', async () => {
  await addOne({ kind: 'exact', number: '+79190000001', reason: 'staff phone', group: 'staff-phones' });
  const ignoring = await createTestCampaign(world.db.pool, { ignoredBlacklistGroups: ['staff-phones'], state: 'draft' });
  const other = await createTestCampaign(world.db.pool, { state: 'draft' });
  expect(await check('+79190000001', ignoring)).toEqual({ number: '+79190000001', blocked: false, ignoredGroups: ['staff-phones'], entry: null });
  expect((await check('+79190000001', other)).blocked).toBe(true);
  expect((await check('+79190000001')).blocked).toBe(true);
  // An entry of another group still blocks for the ignoring campaign.
  await addOne({ kind: 'prefix', prefix: '+7919000', reason: 'all of them', group: 'default' });
  expect((await check('+79190000001', ignoring)).entry).toMatchObject({ kind: 'prefix', group: 'default' });
  const missing = await graphql(world.url, '{ blacklistCheck(number: "+79190000001", campaignId: "nope") { blocked } }', {}, world.keys.viewer);
  expect(issuesOf(missing)).toEqual([{ path: 'campaignId', message: 'no campaign with this id' }]);
  const badNumber = await graphql(world.url, '{ blacklistCheck(number: "12") { blocked } }', {}, world.keys.viewer);
  expect(issuesOf(badNumber)).toEqual([{ path: 'number', message: 'not a phone number: too short: 2 digits' }]);
});

test('entries are listed by kind, group, source and number, a page at a time', async () => {
  const staff = await list({ group: 'staff' });
  expect(staff.map((e) => e.kind)).toEqual(['prefix']);
  expect((await list({ kind: 'range' })).map((e) => e.kind)).toEqual(['range']);
  expect((await list({ source: 'import' })).map((e) => e.source)).toEqual(['import']);
  // Every entry that matches the number: its exact entry, and the prefix over it.
  expect((await list({ number: '+79190000001' })).map((e) => e.kind)).toEqual(['exact', 'prefix']);
  const page1 = await list({ group: 'erp-dnc' }, undefined, 2);
  const page2 = await list({ group: 'erp-dnc' }, page1[1].id, 2);
  expect(page1).toHaveLength(2);
  expect(page2[0].id).toBeGreaterThan(page1[1].id);
  const bad = await graphql(world.url, '{ blacklistEntries(filter: { number: "abc" }) { id } }', {}, world.keys.viewer);
  expect(issuesOf(bad)).toEqual([{ path: 'filter.number', message: 'not a phone number: contains letters' }]);
});

test('automatic entries are listed with their attempt and removed by admin or supervisor only', async () => {
  const campaignId = await createTestCampaign(world.db.pool, { state: 'draft' });
  const contactId = await insertContact(world.db.pool, campaignId, 'c-1', ['+79200000001']);
  const { rows } = await world.db.pool.query<{ id: string }>(
    `INSERT INTO attempt (campaign_id, contact_id, workflow_id, seq, phone_position, e164, number_attempt, outcome, gate, started_at, ended_at)
     VALUES ($1, $2, 'wf', 1, 1, '+79200000001', 1, 'invalid_number', '{}', now(), now()) RETURNING id`, [campaignId, contactId]);
  const attemptId = Number(rows[0].id);
  await addAutomaticEntry(world.db.pool, '+79200000001', 'invalid number', attemptId);
  const [auto] = await list({ source: 'automatic' });
  expect(auto).toMatchObject({ kind: 'exact', source: 'automatic', attemptId });
  const byErp = await remove(auto.id, world.keys.erp);
  expect(byErp.errors![0].extensions!.code).toBe('FORBIDDEN');
  expect((await check('+79200000001')).blocked).toBe(true);
  expect((await remove(auto.id, world.keys.supervisor)).data).toEqual({ removeBlacklistEntry: true });
  expect((await check('+79200000001')).blocked).toBe(false);
});

test('a viewer reads the blacklist but changes nothing', async () => {
  expect((await addOne({ kind: 'exact', number: '+79210000001', reason: 'x' }, world.keys.viewer)).errors![0].extensions!.code).toBe('FORBIDDEN');
  expect((await remove(1, world.keys.viewer)).errors![0].extensions!.code).toBe('FORBIDDEN');
});
