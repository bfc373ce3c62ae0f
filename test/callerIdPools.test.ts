import { Pool } from 'pg';
import {
  addCallerIdNumbers, createCallerIdPool, deleteCallerIdPool, pickPoolCallerId, readCallerIdPool,
} from '../adapters/postgres/callerIdPools';
import { updateCampaign } from '../adapters/postgres/campaigns';
import { newCallerIdPoolSchema } from '../domain/callerIdPool';
import { InputError } from '../domain/inputError';
import { gateForCall } from '../activities/gate';
import { createTestCampaign, insertContact } from './fixtures';
import { question } from './gateQuestions';
import { createTestDatabase, type TestDatabase } from './testDatabase';

// The pick of a caller ID on real Postgres: the round robin's counter shared by workers (here,
// separate connection pools picking at once), the subscriber's region from the numbering plan,
// and the admin's writes that keep a number in one pool.

let db: TestDatabase;
beforeAll(async () => { db = await createTestDatabase(); });
afterAll(async () => { await db?.drop(); });

const newPool = (input: object) => createCallerIdPool(db.pool, newCallerIdPoolSchema.parse(input));

it('in turn: concurrent picks by several workers take every turn once, each number equally often', async () => {
  await newPool({ name: 'turns', numbers: [{ number: '+74950000101' }, { number: '+74950000102' }, { number: '+74950000103' }] });
  const campaignId = await createTestCampaign(db.pool, { callerIdPool: 'turns' });
  const workers = [0, 1, 2, 3].map(() => new Pool({ connectionString: db.url, max: 5 }));
  try {
    const picks = await Promise.all(Array.from({ length: 60 }, (_, i) => pickPoolCallerId(workers[i % 4], campaignId, '+79160000001')));
    const counts = new Map<string, number>();
    for (const p of picks) counts.set(p!.e164!, (counts.get(p!.e164!) ?? 0) + 1);
    expect(Object.fromEntries(counts)).toEqual({ '+74950000101': 20, '+74950000102': 20, '+74950000103': 20 });
    expect((await readCallerIdPool(db.pool, 'turns'))!.turns).toBe(60);
  } finally {
    await Promise.all(workers.map((w) => w.end()));
  }
});

it('by region: the subscriber\'s region from the numbering plan picks the number tagged with it; elsewhere any, in turn', async () => {
  await db.pool.query(
    `INSERT INTO numbering_range (range_from, range_to, code, operator, region, zones, source_file)
     VALUES (8120000000, 8129999999, 812, 'test', 'г. Санкт-Петербург', '{Europe/Moscow}', 'test')`);
  await newPool({
    name: 'regions', rotation: 'by_region',
    numbers: [{ number: '+74950000201', regions: ['г. Москва'] }, { number: '+78120000201', regions: ['г. Санкт-Петербург'] }],
  });
  const campaignId = await createTestCampaign(db.pool, { callerIdPool: 'regions' });
  const spb = await Promise.all([1, 2, 3].map(() => pickPoolCallerId(db.pool, campaignId, '+78121234567')));
  expect(spb.map((p) => p!.e164)).toEqual(['+78120000201', '+78120000201', '+78120000201']);
  // Not in the numbering plan (a foreign number): the whole pool in turn (turns 3 and 4).
  const abroad = [await pickPoolCallerId(db.pool, campaignId, '+4930123456'), await pickPoolCallerId(db.pool, campaignId, '+4930123456')];
  expect(abroad.map((p) => p!.e164)).toEqual(['+78120000201', '+74950000201']);
});

it('a campaign without a pool picks nothing; an empty pool picks no number', async () => {
  const plain = await createTestCampaign(db.pool);
  expect(await pickPoolCallerId(db.pool, plain, '+79160000001')).toBeNull();
  await newPool({ name: 'empty' });
  const onEmpty = await createTestCampaign(db.pool, { callerIdPool: 'empty' });
  expect(await pickPoolCallerId(db.pool, onEmpty, '+79160000001')).toEqual({ pool: 'empty', e164: null });
});

it('the gate\'s last check names the pool the campaign dials from, so the call step asks for a turn only then', async () => {
  await newPool({ name: 'gated', numbers: [{ number: '+74957770101' }] });
  const onPool = await createTestCampaign(db.pool, { callerIdPool: 'gated' });
  const plain = await createTestCampaign(db.pool);
  const poolOf = async (campaignId: string, channelId: string) => {
    const contactId = await insertContact(db.pool, campaignId, channelId, ['+79160000009']);
    const facts = await gateForCall(db.pool, question(campaignId, contactId, '+79160000009', Date.now(), channelId));
    expect(facts.decision.allowed).toBe(true);
    return facts.callerIdPool;
  };
  expect(await poolOf(onPool, 'ch-pool')).toBe('gated');
  expect(await poolOf(plain, 'ch-plain')).toBeNull();
  await updateCampaign(db.pool, plain, { callerIdPool: 'gated' }, 'test');
  expect(await poolOf(plain, 'ch-plain-2')).toBe('gated');
});

it('a number belongs to one pool; a pool a campaign dials from is not deleted; an unknown pool is named', async () => {
  await newPool({ name: 'first', numbers: [{ number: '+74950000301' }] });
  await newPool({ name: 'second' });
  const taken = addCallerIdNumbers(db.pool, 'second', [{ number: '+74950000302', regions: [] }, { number: '+74950000301', regions: [] }]);
  await expect(taken).rejects.toThrow(InputError);
  await expect(taken).rejects.toMatchObject({ issues: [{ path: 'numbers.1.number', message: 'already in caller-ID pool first' }] });
  expect((await readCallerIdPool(db.pool, 'second'))!.numbers).toEqual([]);
  // Adding again to its own pool changes its regions and adds nothing.
  expect(await addCallerIdNumbers(db.pool, 'first', [{ number: '+74950000301', regions: ['г. Москва'] }])).toBe(0);
  expect((await readCallerIdPool(db.pool, 'first'))!.numbers).toEqual([{ number: '+74950000301', regions: ['г. Москва'] }]);

  const campaignId = await createTestCampaign(db.pool, { callerIdPool: 'first' });
  await expect(deleteCallerIdPool(db.pool, 'first')).rejects.toMatchObject({ issues: [{ path: 'name', message: expect.stringContaining(campaignId) }] });
  await expect(updateCampaign(db.pool, campaignId, { callerIdPool: 'nope' }, 'test'))
    .rejects.toMatchObject({ issues: [{ path: 'callerIdPool', message: 'no caller-ID pool of this name' }] });
  await updateCampaign(db.pool, campaignId, { callerIdPool: null }, 'test');
  expect(await deleteCallerIdPool(db.pool, 'first')).toBe(true);
  expect(await readCallerIdPool(db.pool, 'first')).toBeNull();
});
