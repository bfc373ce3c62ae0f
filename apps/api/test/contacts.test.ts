import { randomBytes } from 'node:crypto';
import { Client, Connection } from '@temporalio/client';
import { campaignWorkflowId } from '../../../domain/ids';
import { graphql, startApiWorld, type ApiWorld } from './apiWorld';

// The ERP pushes contacts through upsertContacts, as it would over HTTP.

jest.setTimeout(120_000);

// Campaign workflows live on the shared Temporal server: campaign ids of this run's own.
const RUN = randomBytes(3).toString('hex');
const DRAFT = `ct-${RUN}`;
const RUNNING = `ct-run-${RUN}`;

let world: ApiWorld;
let temporal: { connection: Connection; client: Client };

beforeAll(async () => {
  world = await startApiWorld();
  const connection = await Connection.connect({ address: process.env.TEMPORAL_ADDRESS ?? '127.0.0.1:7233' });
  temporal = { connection, client: new Client({ connection }) };
  for (const [id, state] of [[DRAFT, 'draft'], [RUNNING, 'running'], [`ct-done-${RUN}`, 'completed']]) {
    await world.db.pool.query(`INSERT INTO campaign (id, name, caller_id, state) VALUES ($1, 'T', '+74950000000', $2)`, [id, state]);
  }
});
afterAll(async () => {
  // No worker polls the test's queue: the campaign workflow started here is ended here.
  await temporal?.client.workflow.getHandle(campaignWorkflowId(RUNNING)).terminate('test over').catch(() => undefined);
  await temporal?.connection.close();
  await world?.close();
});

const UPSERT = `mutation($campaignId: String!, $contacts: [ContactInput!]!) {
  upsertContacts(campaignId: $campaignId, contacts: $contacts) { campaignId inserted updated unchanged warnings { path message } } }`;

const upsert = (campaignId: string, contacts: unknown[], key = world.keys.erp) => graphql(world.url, UPSERT, { campaignId, contacts }, key);

const batch = () => [
  {
    externalId: 'D-1', personId: 'P-1', fullName: 'Иванов Иван Иванович', timeZone: 'Asia/Yekaterinburg',
    phones: [{ number: '+7 (912) 345-67-89', kind: 'mobile' }, { number: '8 343 123-45-67', kind: 'home' }],
    variables: [{ key: 'BALANCE', value: '12345,50' }, { key: 'DUE_DATE', value: '2026-12-01' }],
  },
  { externalId: 'D-2', fullName: 'Петров Пётр', phones: [{ number: '79508881234', kind: 'work' }], variables: [{ key: 'BALANCE', value: '-68.27' }] },
  { externalId: 'D-3', phones: [{ number: '+79161234567' }] },
];

/** A contact as stored: its row, numbers, variables and attempts. */
async function stored(campaignId: string, externalId: string) {
  const { rows: [c] } = await world.db.pool.query(
    `SELECT id, state, full_name, time_zone, person_id, updated_at, attempts AS attempt_count FROM contact WHERE campaign_id = $1 AND external_id = $2`,
    [campaignId, externalId]);
  if (!c) return null;
  const { rows: phones } = await world.db.pool.query('SELECT position, e164, raw, kind FROM contact_phone WHERE contact_id = $1 ORDER BY position', [c.id]);
  const { rows: vars } = await world.db.pool.query('SELECT name, value FROM contact_variable WHERE contact_id = $1 ORDER BY name', [c.id]);
  const { rows: attempts } = await world.db.pool.query('SELECT id, e164, phone_position FROM attempt WHERE contact_id = $1 ORDER BY id', [c.id]);
  return { ...c, phones, variables: Object.fromEntries(vars.map((v) => [v.name, v.value])), attempts };
}

const count = async (sql: string, params: unknown[] = []) => (await world.db.pool.query<{ n: number }>(sql, params)).rows[0]!.n;

describe('upsertContacts', () => {
  test('a batch is inserted with its numbers in E.164 and their kinds; the same batch again changes nothing', async () => {
    const first = await upsert(DRAFT, batch());
    expect(first.errors).toBeUndefined();
    expect(first.data!.upsertContacts).toEqual({ campaignId: DRAFT, inserted: 3, updated: 0, unchanged: 0, warnings: [] });
    const d1 = await stored(DRAFT, 'D-1');
    expect(d1).toMatchObject({
      state: 'pending', full_name: 'Иванов Иван Иванович', time_zone: 'Asia/Yekaterinburg', person_id: 'P-1',
      phones: [
        { position: 1, e164: '+79123456789', raw: '+7 (912) 345-67-89', kind: 'mobile' },
        { position: 2, e164: '+73431234567', raw: '8 343 123-45-67', kind: 'home' },
      ],
      variables: { BALANCE: '12345,50', DUE_DATE: '2026-12-01' },
    });
    expect((await stored(DRAFT, 'D-3'))!.phones).toEqual([{ position: 1, e164: '+79161234567', raw: '+79161234567', kind: 'other' }]);

    const again = await upsert(DRAFT, batch());
    expect(again.data!.upsertContacts).toEqual({ campaignId: DRAFT, inserted: 0, updated: 0, unchanged: 3, warnings: [] });
    expect(await stored(DRAFT, 'D-1')).toEqual(d1); // updated_at included: nothing was written
  });

  test('a changed batch updates only what changed; a contact already called keeps its attempts and its numbers', async () => {
    // D-1 has been called once and is in progress.
    const d1 = (await stored(DRAFT, 'D-1'))!;
    await world.db.pool.query(`UPDATE contact SET state = 'in_progress', attempts = 1 WHERE id = $1`, [d1.id]);
    await world.db.pool.query(
      `INSERT INTO attempt (campaign_id, contact_id, workflow_id, seq, phone_position, e164, number_attempt, outcome, gate, started_at, ended_at)
       VALUES ($1, $2, $3, 1, 1, '+79123456789', 1, 'no_answer', '{}', now(), now())`,
      [DRAFT, d1.id, `contact/${DRAFT}/D-1`]);
    const before = { d1: (await stored(DRAFT, 'D-1'))!, d2: (await stored(DRAFT, 'D-2'))!, d3: (await stored(DRAFT, 'D-3'))! };

    const changed = batch();
    changed[0]!.variables = [{ key: 'BALANCE', value: '100' }]; // DUE_DATE removed, BALANCE changed
    changed[0]!.phones = [{ number: '+79001112233', kind: 'mobile' }]; // not applied: D-1 is being called
    changed[1]!.phones = [{ number: '79508881234', kind: 'work' }, { number: '+7 916 765-43-21', kind: 'mobile' }];
    changed[1]!.fullName = 'Петров Пётр Петрович';
    const answer = await upsert(DRAFT, changed);
    expect(answer.errors).toBeUndefined();
    expect(answer.data!.upsertContacts).toEqual({
      campaignId: DRAFT, inserted: 0, updated: 2, unchanged: 1,
      warnings: [
        { path: 'contacts.0.phones', message: expect.stringContaining('the contact is being called') },
        { path: 'contacts.0', message: expect.stringContaining('a message already prepared') },
      ],
    });

    const after = { d1: (await stored(DRAFT, 'D-1'))!, d2: (await stored(DRAFT, 'D-2'))!, d3: (await stored(DRAFT, 'D-3'))! };
    expect(after.d1.attempts).toEqual(before.d1.attempts);
    expect(after.d1.attempts).toHaveLength(1);
    expect(after.d1).toMatchObject({ state: 'in_progress', attempt_count: 1, phones: before.d1.phones, variables: { BALANCE: '100' } });
    expect(after.d2.phones).toEqual([
      { position: 1, e164: '+79508881234', raw: '79508881234', kind: 'work' },
      { position: 2, e164: '+79167654321', raw: '+7 916 765-43-21', kind: 'mobile' },
    ]);
    expect(after.d2.full_name).toBe('Петров Пётр Петрович');
    expect(after.d2.variables).toEqual(before.d2.variables);
    expect(after.d3).toEqual(before.d3);
    expect(after.d2.updated_at.getTime()).toBeGreaterThan(before.d2.updated_at.getTime());

    // A number dropped from a contact not yet started is dropped; an omitted field is cleared.
    changed[1]!.phones = [{ number: '+7 916 765-43-21', kind: 'mobile' }];
    delete (changed[1] as { fullName?: string }).fullName;
    const shorter = await upsert(DRAFT, changed);
    expect(shorter.data!.upsertContacts).toMatchObject({ updated: 1, unchanged: 2 });
    expect(await stored(DRAFT, 'D-2')).toMatchObject({ full_name: null, phones: [{ position: 1, e164: '+79167654321', kind: 'mobile' }] });
  });

  test('a finished contact is updated but not called again, and says so', async () => {
    const d3 = (await stored(DRAFT, 'D-3'))!;
    await world.db.pool.query(`UPDATE contact SET state = 'done', finished_at = now() WHERE id = $1`, [d3.id]);
    const answer = await upsert(DRAFT, [{ externalId: 'D-3', phones: [{ number: '+79161234568' }], variables: [{ key: 'BALANCE', value: '1' }] }]);
    expect(answer.data!.upsertContacts).toMatchObject({
      updated: 1,
      warnings: [
        { path: 'contacts.0.phones', message: expect.stringContaining('finished (done)') },
        { path: 'contacts.0', message: expect.stringContaining('not called again') },
      ],
    });
    expect(await stored(DRAFT, 'D-3')).toMatchObject({ state: 'done', phones: [{ e164: '+79161234567' }], variables: { BALANCE: '1' } });
  });

  test('a bad number refuses the whole call with its path, and nothing is written', async () => {
    const contacts: Record<string, unknown>[] = [
      ...batch(),
      { externalId: 'D-4', phones: [{ number: '+79161234567' }, { number: '12-34' }] },
      { externalId: 'D-5', phones: [{ number: '+79161234569' }], timeZone: 'Moscow' },
    ];
    contacts[0]!.fullName = 'Changed, but refused with the rest';
    const before = await count('SELECT count(*)::int AS n FROM contact');
    const answer = await upsert(DRAFT, contacts);
    expect(answer.data).toBeNull();
    expect(answer.errors![0]!.extensions).toEqual({
      code: 'BAD_USER_INPUT',
      issues: [
        { path: 'contacts.3.phones.1.number', message: 'too short: 4 digits' },
        { path: 'contacts.4.timeZone', message: expect.stringContaining('IANA') },
      ],
    });
    expect(answer.errors![0]!.message).toMatch(/nothing was written/);
    expect(await count('SELECT count(*)::int AS n FROM contact')).toBe(before);
    expect((await stored(DRAFT, 'D-1'))!.full_name).toBe('Иванов Иван Иванович');
  });

  test('more than 10,000 contacts in one call are refused, naming the limit', async () => {
    const contacts = Array.from({ length: 10_001 }, (_, i) => ({ externalId: `X-${i}`, phones: [{ number: `+7916${String(i).padStart(7, '0')}` }] }));
    const answer = await upsert(DRAFT, contacts);
    expect(answer.errors![0]!.extensions).toEqual({ code: 'BAD_USER_INPUT', issues: [{ path: 'contacts', message: 'at most 10000 contacts per call, got 10001' }] });
    expect(await count(`SELECT count(*)::int AS n FROM contact WHERE external_id LIKE 'X-%'`)).toBe(0);
    // 10,000 are taken, in one call.
    const ok = await upsert(DRAFT, contacts.slice(0, 10_000));
    expect(ok.errors).toBeUndefined();
    expect(ok.data!.upsertContacts).toMatchObject({ inserted: 10_000 });
  });

  test('a campaign that does not exist, or no longer takes contacts, is refused', async () => {
    expect((await upsert('ct-none', batch())).errors![0]!.extensions).toMatchObject({ code: 'BAD_USER_INPUT', issues: [{ path: 'campaignId', message: 'does not exist' }] });
    expect((await upsert(`ct-done-${RUN}`, batch())).errors![0]!.extensions).toMatchObject({ code: 'BAD_USER_INPUT', issues: [{ path: 'campaignId', message: 'is completed' }] });
  });

  test('contacts added to a running campaign are pending rows its workflow starts (started if it was not running)', async () => {
    const answer = await upsert(RUNNING, batch());
    expect(answer.data!.upsertContacts).toMatchObject({ inserted: 3 });
    expect(await count(`SELECT count(*)::int AS n FROM contact WHERE campaign_id = $1 AND state = 'pending'`, [RUNNING])).toBe(3);
    const description = await temporal.client.workflow.getHandle(campaignWorkflowId(RUNNING)).describe();
    expect(description.status.name).toBe('RUNNING');
    // Idempotent: a second call keeps the running workflow.
    expect((await upsert(RUNNING, batch())).data!.upsertContacts).toMatchObject({ unchanged: 3 });
    const again = await temporal.client.workflow.getHandle(campaignWorkflowId(RUNNING)).describe();
    expect(again.runId).toBe(description.runId);
  });

  test('viewers may not upsert; each call leaves an audit row with ids only', async () => {
    expect((await upsert(DRAFT, batch(), world.keys.viewer)).errors![0]!.extensions!.code).toBe('FORBIDDEN');
    const { rows } = await world.db.pool.query(`SELECT actor, entity_id, details FROM audit_log WHERE action = 'api.upsertContacts' ORDER BY id`);
    expect(rows.length).toBeGreaterThan(0);
    expect(rows[0]).toMatchObject({ actor: 'key:test-erp', entity_id: DRAFT });
    const text = JSON.stringify(rows);
    expect(text).not.toMatch(/912|Иванов|BALANCE|12345/);
  });
});
