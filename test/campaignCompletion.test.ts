import { markCampaignCompleted } from '../activities/campaignFeed';
import { createTestCampaign, insertContact } from './fixtures';
import { createTestDatabase, type TestDatabase } from './testDatabase';

// A campaign completes only when nothing of it is left to call: contacts an ERP adds between
// the campaign workflow's count and its completion keep it running.

let db: TestDatabase;
beforeAll(async () => { db = await createTestDatabase(); });
afterAll(async () => { await db?.drop(); });

const stateOf = async (id: string): Promise<string> =>
  (await db.pool.query<{ state: string }>('SELECT state FROM campaign WHERE id = $1', [id])).rows[0].state;

test('a campaign with a pending contact is not completed', async () => {
  const id = await createTestCampaign(db.pool);
  await insertContact(db.pool, id, 'late', ['+79160000011']);
  expect(await markCampaignCompleted(db.pool, id)).toBe(false);
  expect(await stateOf(id)).toBe('running');
});

test('a campaign whose contacts all ended is completed, once', async () => {
  const id = await createTestCampaign(db.pool);
  const contact = await insertContact(db.pool, id, 'done', ['+79160000012']);
  await db.pool.query(`UPDATE contact SET state = 'done' WHERE id = $1`, [contact]);
  expect(await markCampaignCompleted(db.pool, id)).toBe(true);
  expect(await stateOf(id)).toBe('completed');
  expect(await markCampaignCompleted(db.pool, id)).toBe(false);
  const audit = await db.pool.query(`SELECT 1 FROM audit_log WHERE action = 'campaign.completed' AND entity_id = $1`, [id]);
  expect(audit.rowCount).toBe(1);
});
