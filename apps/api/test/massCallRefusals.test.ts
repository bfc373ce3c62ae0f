import { graphql, startApiWorld, type ApiWorld } from './apiWorld';

// The refusal list of mass calls through the API: added one at a time and in bulk, listed a page
// at a time, removed with an audit row; the blacklist's roles; bad input named by its path.

jest.setTimeout(120_000);

let world: ApiWorld;
beforeAll(async () => { world = await startApiWorld(); });
afterAll(async () => { await world?.close(); });

const ENTRY = 'id number refusedAt operator source createdBy createdAt';
const addOne = (entry: object, key = world.keys.erp) =>
  graphql(world.url, `mutation($entry: MassCallRefusalInput!) { addMassCallRefusal(entry: $entry) { ${ENTRY} } }`, { entry }, key);
const addMany = (entries: object[], key = world.keys.erp) =>
  graphql(world.url, `mutation($entries: [MassCallRefusalInput!]!) { addMassCallRefusals(entries: $entries) { received added alreadyPresent } }`, { entries }, key);
const remove = (id: number, key = world.keys.erp) =>
  graphql(world.url, 'mutation($id: Int!) { removeMassCallRefusal(id: $id) }', { id }, key);
const list = async (filter: object, after?: number, first = 50) => (await graphql(world.url,
  `query($filter: MassCallRefusalFilterInput, $after: Int, $first: Int!) { massCallRefusals(filter: $filter, after: $after, first: $first) { id number source } }`,
  { filter, after, first }, world.keys.viewer)).data!.massCallRefusals as { id: number; number: string; source: string }[];
const issuesOf = (a: { errors?: { extensions?: { issues?: unknown } }[] }) => a.errors?.[0]?.extensions?.issues;
const codeOf = (a: { errors?: { extensions?: { code?: string } }[] }) => a.errors?.[0]?.extensions?.code;
const count = async () => (await world.db.pool.query<{ n: number }>('SELECT count(*)::int AS n FROM mass_call_refusal')).rows[0].n;

test('a number is stored in E.164 with its report and the caller as author; the same number again is the same entry', async () => {
  const answer = await addOne({ number: '8 (912) 300-11-22', refusedAt: '2026-09-05T12:00:00+03:00', operator: 'МТС' });
  expect(answer.errors).toBeUndefined();
  const e = answer.data!.addMassCallRefusal;
  expect(e).toMatchObject({
    number: '+79123001122', refusedAt: '2026-09-05T09:00:00.000Z', operator: 'МТС', source: 'erp', createdBy: 'key:test-erp',
  });
  const again = (await addOne({ number: '+79123001122' }, world.keys.supervisor)).data!.addMassCallRefusal;
  expect(again).toMatchObject({ id: e.id, operator: 'МТС', source: 'erp' });
  const read = await graphql(world.url, `query($id: Int!) { massCallRefusal(id: $id) { number } }`, { id: e.id }, world.keys.viewer);
  expect(read.data!.massCallRefusal).toEqual({ number: '+79123001122' });
});

test('a bulk add is all or nothing, each bad entry named by its index; a page at a time after the last id', async () => {
  const before = await count();
  const bad = await addMany([{ number: '+79123001130' }, { number: 'no number' }, { number: '+79123001131', refusedAt: 'yesterday' }]);
  expect(codeOf(bad)).toBe('BAD_USER_INPUT');
  expect(issuesOf(bad)).toEqual([
    { path: 'entries.1.number', message: expect.stringMatching(/^not a phone number/) },
    { path: 'entries.2.refusedAt', message: expect.stringMatching(/^an ISO 8601 date and time/) },
  ]);
  expect(await count()).toBe(before);

  const good = await addMany(['+79123001140', '+79123001141', '+79123001142', '+79123001140'].map((number) => ({ number })), world.keys.admin);
  expect(good.data!.addMassCallRefusals).toEqual({ received: 4, added: 3, alreadyPresent: 1 });
  const mine = await list({ source: 'api' });
  expect(mine.map((r) => r.number)).toEqual(['+79123001140', '+79123001141', '+79123001142']);
  const firstPage = await list({ source: 'api' }, undefined, 2);
  expect(firstPage).toHaveLength(2);
  expect((await list({ source: 'api' }, firstPage[1].id, 2)).map((r) => r.number)).toEqual(['+79123001142']);
  expect((await list({ number: '8 912 300-11-41' })).map((r) => r.number)).toEqual(['+79123001141']);
});

test('the viewer reads but may not change the list; a removal is audited without the number', async () => {
  const e = (await addOne({ number: '+79123001150' })).data!.addMassCallRefusal;
  expect(codeOf(await addOne({ number: '+79123001151' }, world.keys.viewer))).toBe('FORBIDDEN');
  expect(codeOf(await remove(e.id, world.keys.viewer))).toBe('FORBIDDEN');
  expect((await remove(e.id)).data!.removeMassCallRefusal).toBe(true);
  expect((await remove(e.id)).data!.removeMassCallRefusal).toBe(false);
  const { rows } = await world.db.pool.query(
    `SELECT actor, details FROM audit_log WHERE action = 'mass_call_refusal.removed' AND entity_id = $1`, [String(e.id)]);
  expect(rows).toEqual([{ actor: 'key:test-erp', details: { source: 'erp', operator: null } }]);
  expect(JSON.stringify(rows)).not.toContain('79123001150');
});
