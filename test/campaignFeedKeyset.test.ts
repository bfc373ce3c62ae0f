import type { PoolClient } from 'pg';
import { createCampaign } from '../adapters/postgres/campaigns';
import { markNextPageInProgress } from '../adapters/postgres/campaignFeed';
import { createTestDatabase, type TestDatabase } from './testDatabase';

// The feed pages through a campaign's contacts by id after a cursor (keyset), never by OFFSET,
// and finds unfinished contacts through the (campaign, state) index, so the page that starts
// the 199,901st contact reads no more than the page that starts the first.
// Asserted on Postgres' own count of the buffers the real statement touches (EXPLAIN ANALYZE,
// BUFFERS), not on a time: the count does not depend on how busy the machine is.

const CONTACTS = 200_000;
const PAGE = 100;

let db: TestDatabase;
let firstId: number;

beforeAll(async () => {
  db = await createTestDatabase();
  await createCampaign(db.pool, { id: 'keyset', name: 'Keyset', callerId: '+74951112233' }, 'test');
  await db.pool.query(
    `INSERT INTO contact (campaign_id, external_id) SELECT 'keyset', 'c' || g FROM generate_series(1, $1::int) g`, [CONTACTS]);
  firstId = Number((await db.pool.query<{ id: string }>(`SELECT min(id) AS id FROM contact WHERE campaign_id = 'keyset'`)).rows[0].id);
  await db.pool.query('ANALYZE contact');
}, 120_000);
afterAll(async () => { await db?.drop(); });

interface PagePlan { buffers: number; rowsMarked: number; plan: string }

/**
 * Runs markNextPageInProgress's own statement under EXPLAIN (ANALYZE, BUFFERS) in a
 * transaction that is rolled back: the buffers it touched, the rows it marked, and its plan.
 */
async function explainPage(afterId: number): Promise<PagePlan> {
  const client = await db.pool.connect();
  let explained: unknown;
  try {
    await client.query('BEGIN');
    const explaining = {
      query: async (sql: string, params: unknown[]) => {
        const { rows } = await client.query(`EXPLAIN (ANALYZE, BUFFERS, FORMAT JSON) ${sql}`, params);
        explained = rows[0]['QUERY PLAN'];
        return { rows: [] };
      },
    } as unknown as PoolClient;
    await markNextPageInProgress(explaining, 'keyset', afterId, PAGE);
  } finally {
    await client.query('ROLLBACK');
    client.release();
  }
  const [root] = explained as { Plan: PlanNode }[];
  const marked = findNode(root.Plan, (n) => n['Node Type'] === 'ModifyTable');
  return {
    buffers: root.Plan['Shared Hit Blocks'] + root.Plan['Shared Read Blocks'],
    rowsMarked: marked?.['Actual Rows'] ?? -1,
    plan: JSON.stringify(root.Plan),
  };
}

interface PlanNode {
  'Node Type': string;
  'Actual Rows': number;
  'Shared Hit Blocks': number;
  'Shared Read Blocks': number;
  Plans?: PlanNode[];
}

function findNode(node: PlanNode, match: (n: PlanNode) => boolean): PlanNode | undefined {
  if (match(node)) return node;
  for (const child of node.Plans ?? []) {
    const found = findNode(child, match);
    if (found) return found;
  }
  return undefined;
}

it('reads about as much for the page near the end of 200,000 contacts as for the first page', async () => {
  const first = await explainPage(0);
  // A campaign near its end: every contact before the last page's is finished.
  const cursor = firstId + CONTACTS - PAGE - 1;
  await db.pool.query(`UPDATE contact SET state = 'done' WHERE campaign_id = 'keyset' AND id <= $1`, [cursor]);
  await db.pool.query('VACUUM ANALYZE contact');
  const late = await explainPage(cursor);

  expect(first.rowsMarked).toBe(PAGE);
  expect(late.rowsMarked).toBe(PAGE);
  process.stdout.write(`buffers: first page ${first.buffers}, page after ${CONTACTS - PAGE} finished contacts ${late.buffers}\n`);
  // Neither plan walks the campaign: no sequential scan of contact, no OFFSET-like skipping.
  for (const p of [first, late]) expect(p.plan).not.toContain('"Seq Scan"');
  // A page touches a few buffers per contact (index, heap, the update); skipping 199,900
  // finished contacts would touch thousands more.
  expect(late.buffers).toBeLessThan(first.buffers * 2 + 50);
  expect(first.buffers).toBeLessThan(PAGE * 50);
}, 120_000);
