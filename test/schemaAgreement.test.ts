import { CALL_OUTCOMES, CAMPAIGN_STATES, CONTACT_STATES } from '../domain/outcomes';
import { createTestDatabase, type TestDatabase } from './testDatabase';

// The workflow code and the SQL schema each name the outcomes and states; this keeps them one list.

let db: TestDatabase;
beforeAll(async () => { db = await createTestDatabase(); });
afterAll(async () => { await db?.drop(); });

const enumValues = async (type: string): Promise<string[]> =>
  (await db.pool.query(`SELECT unnest(enum_range(NULL::${type}))::text AS v`)).rows.map((r) => r.v);

it.each([
  ['call_outcome', CALL_OUTCOMES],
  ['contact_state', CONTACT_STATES],
  ['campaign_state', CAMPAIGN_STATES],
])('%s matches domain/outcomes.ts', async (type, values) => {
  expect(await enumValues(type)).toEqual([...values]);
});

it('reads a 24:00 window end back as 24:00:00', async () => {
  const { rows } = await db.pool.query(`SELECT to_char('24:00'::time, 'HH24:MI:SS') AS t`);
  expect(rows[0].t).toBe('24:00:00');
});
