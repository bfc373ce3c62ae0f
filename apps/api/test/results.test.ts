import { finish } from '../../../activities/record';
import { attemptQuery } from '../../../adapters/postgres/results';
import { createTestCampaign, insertContact } from '../../../test/fixtures';
import type { CallOutcome } from '../../../domain/outcomes';
import { ATTEMPT_CSV_COLUMNS } from '../src/results/attemptsCsv';
import { graphql, startApiWorld, type ApiWorld, type GraphQLAnswer } from './apiWorld';
import { capRefusal, FIXTURE_CALLER_ID, recordAttempt } from './resultsFixtures';

// Results as the ERP reads them: attempts a page at a time (keyset), one contact with the
// gate's proof and its Temporal link, the counters by outcome and rule, and the CSV export
// streamed from a cursor and audited.

jest.setTimeout(120_000);

let world: ApiWorld;
let base: string;
let campaign: string;
/** Attempt ids of `campaign` in the order they were recorded. */
const ids: string[] = [];
const numbers = ['+79161110001', '+79161110002', '+79161110003'];
const OUTCOMES: CallOutcome[] = ['busy', 'no_answer', 'busy', 'refused', 'no_answer'];

beforeAll(async () => {
  world = await startApiWorld();
  base = world.url.replace(/\/graphql$/, '');
  campaign = await createTestCampaign(world.db.pool, { maxAttemptsPerNumber: 50 });
  const contacts = await Promise.all(numbers.map((n, i) => insertContact(world.db.pool, campaign, `ext-${i + 1}`, [n])));
  // 24 attempts over three contacts, one every minute from 10:00 UTC, then one answered.
  for (let i = 0; i < 24; i++) {
    const c = i % 3;
    const id = await recordAttempt(world.db.pool, {
      campaignId: campaign, contactId: contacts[c], externalId: `ext-${c + 1}`, seq: Math.floor(i / 3) + 1, e164: numbers[c],
      outcome: OUTCOMES[i % OUTCOMES.length], startedAt: new Date(Date.UTC(2026, 10, 24, 10, i)).toISOString(), numberAttempt: Math.floor(i / 3) + 1,
    });
    ids.push(String(id));
  }
  ids.push(String(await recordAttempt(world.db.pool, {
    campaignId: campaign, contactId: contacts[0], externalId: 'ext-1', seq: 9, e164: numbers[0], outcome: 'answered',
    startedAt: '2026-11-24T10:30:00.000Z', numberAttempt: 9,
  })));
  await finish(world.db.pool, contacts[0], 'done', 'answered');
});
afterAll(async () => { await world?.close(); });

const PAGE = `query($filter: AttemptFilter!, $first: Int, $after: ID) {
  attempts(filter: $filter, first: $first, after: $after) { items { id outcome number externalId } endCursor hasNextPage } }`;

test('attempts come a page at a time in id order, each page after the last one seen, none twice', async () => {
  const seen: string[] = [];
  const pages: { n: number; hasNextPage: boolean }[] = [];
  let after: string | null = null;
  do {
    const answer: GraphQLAnswer = await graphql(world.url, PAGE, { filter: { campaignId: campaign }, first: 10, after }, world.keys.viewer);
    expect(answer.errors).toBeUndefined();
    const page: { items: { id: string }[]; endCursor: string; hasNextPage: boolean } = answer.data!.attempts;
    seen.push(...page.items.map((a: { id: string }) => a.id));
    pages.push({ n: page.items.length, hasNextPage: page.hasNextPage });
    after = page.hasNextPage ? page.endCursor : null;
  } while (after);
  expect(pages).toEqual([{ n: 10, hasNextPage: true }, { n: 10, hasNextPage: true }, { n: 5, hasNextPage: false }]);
  expect(seen).toEqual(ids);
});

test('filters: an outcome, a number, a time range; bad input names the field', async () => {
  const run = async (filter: object) => (await graphql(world.url, PAGE, { filter, first: 100 }, world.keys.erp));
  const busy = (await run({ campaignId: campaign, outcome: 'busy' })).data!.attempts.items;
  expect(busy.length).toBe(10);
  expect(busy.every((a: { outcome: string }) => a.outcome === 'busy')).toBe(true);

  const byNumber = (await run({ number: numbers[1] })).data!.attempts.items;
  expect(byNumber.length).toBe(8);
  expect(new Set(byNumber.map((a: { externalId: string }) => a.externalId))).toEqual(new Set(['ext-2']));

  // 10:05 ≤ started < 10:10: five attempts.
  const range = (await run({ campaignId: campaign, from: '2026-11-24T13:05:00+03:00', to: '2026-11-24T10:10:00Z' })).data!.attempts.items;
  expect(range.map((a: { id: string }) => a.id)).toEqual(ids.slice(5, 10));

  const none = await run({ outcome: 'busy' });
  expect(none.errors![0].extensions).toMatchObject({ code: 'BAD_USER_INPUT', issues: [{ path: 'filter.campaignId' }] });
  const backwards = await run({ campaignId: campaign, from: '2026-11-25T00:00:00Z', to: '2026-11-24T00:00:00Z' });
  expect(backwards.errors![0].extensions).toMatchObject({ code: 'BAD_USER_INPUT', issues: [{ path: 'filter.to' }] });
  const badCursor = await graphql(world.url, PAGE, { filter: { campaignId: campaign }, after: 'page-2' }, world.keys.erp);
  expect(badCursor.errors![0].extensions).toMatchObject({ code: 'BAD_USER_INPUT', issues: [{ path: 'after' }] });
});

test("a contact: its numbers, state, every attempt with the gate's proof, its wait and its Temporal link", async () => {
  const answer = await graphql(world.url, `query($c: String!) {
    contact(campaignId: $c, externalId: "ext-2") {
      externalId state outcome calls numbers { position number } workflowId temporalUrl
      wait { reason detail until }
      attempts { id outcome numberAttempt callerId hangupCause gate { allowed refusal retryAt checkedAt checks { rule passed detail } } } } }`,
  { c: campaign }, world.keys.viewer);
  expect(answer.errors).toBeUndefined();
  const c = answer.data!.contact;
  expect(c).toMatchObject({
    externalId: 'ext-2', state: 'pending', outcome: null, numbers: [{ position: 1, number: numbers[1] }],
    workflowId: `contact/${campaign}/ext-2`,
    temporalUrl: `${process.env.TEMPORAL_UI_URL ?? 'http://127.0.0.1:8233'}/namespaces/default/workflows/contact%2F${campaign}%2Fext-2`,
  });
  expect(c.attempts).toHaveLength(8);
  // Calls placed: every attempt but the gate's refusals.
  expect(c.calls).toBe(c.attempts.filter((a: { outcome: string }) => a.outcome !== 'refused').length);
  const refused = c.attempts.find((a: { outcome: string }) => a.outcome === 'refused');
  expect(refused.gate).toMatchObject({ allowed: false, refusal: 'cap_reached' });
  // Nothing was dialled, so no number was presented.
  expect(refused.callerId).toBeNull();
  expect(refused.gate.retryAt).toEqual(expect.any(String));
  expect(refused.gate.checks).toContainEqual({ rule: 'cap_person_day', passed: false, detail: '1 of 1 (calendar)' });
  const placed = c.attempts.find((a: { outcome: string }) => a.outcome === 'busy');
  expect(placed).toMatchObject({ hangupCause: 17, callerId: FIXTURE_CALLER_ID, gate: { allowed: true, refusal: null, retryAt: null } });
  expect(placed.gate.checks.map((x: { rule: string }) => x.rule)).toEqual(['campaign_running', 'not_blacklisted', 'calling_hours']);
  // Its last attempt was a busy call: the strategy's interval is what it waits for.
  expect(c.wait).toMatchObject({ reason: 'retry_interval', detail: 'busy' });

  const unknown = await graphql(world.url, `{ contact(campaignId: "${campaign}", externalId: "nobody") { id } }`, {}, world.keys.viewer);
  expect(unknown).toEqual({ data: { contact: null } });
});

test("the campaign's counters: done by outcome and refused by rule", async () => {
  const answer = await graphql(world.url, `{ campaign(id: "${campaign}") { counters {
    contacts finished calls doneByOutcome { name count } refusedByRule { name count } } } }`, {}, world.keys.viewer);
  expect(answer.data!.campaign.counters).toEqual({
    contacts: 3, finished: 1, calls: 20, doneByOutcome: [{ name: 'answered', count: 1 }], refusedByRule: [{ name: 'cap_reached', count: 5 }],
  });
});

describe('keyset paging on a large campaign', () => {
  let big: string;
  beforeAll(async () => {
    big = await createTestCampaign(world.db.pool);
    const other = await createTestCampaign(world.db.pool);
    const contact = await insertContact(world.db.pool, big, 'bulk', ['+79161119999']);
    const otherContact = await insertContact(world.db.pool, other, 'bulk', ['+79161119998']);
    // 40,000 attempts in one statement (the record step is not what is measured here), a
    // quarter of them the big campaign's, interleaved with another campaign's as a busy day's are.
    const gate = JSON.stringify(capRefusal('2026-11-24T10:00:00Z', '2026-11-24T11:00:00Z'));
    await world.db.pool.query(
      `INSERT INTO attempt (campaign_id, contact_id, workflow_id, seq, phone_position, e164, number_attempt, outcome, gate, started_at, ended_at)
       SELECT CASE WHEN g % 4 = 0 THEN $1 ELSE $2 END, CASE WHEN g % 4 = 0 THEN $3 ELSE $4 END::bigint, 'bulk', g, 1,
              CASE WHEN g % 4 = 0 THEN '+79161119999' ELSE '+79161119998' END, g,
              (ARRAY['busy','no_answer','answered','refused'])[1 + (g / 4) % 4]::call_outcome, $5::jsonb,
              timestamptz '2026-11-24 10:00Z' + g * interval '1 second', timestamptz '2026-11-24 10:00Z' + g * interval '1 second'
         FROM generate_series(1, 40000) g`, [big, other, contact, otherContact, gate]);
    await world.db.pool.query('ANALYZE attempt');
  });

  async function plan(filter: Parameters<typeof attemptQuery>[0], afterId: number): Promise<string> {
    const { sql, params } = attemptQuery(filter, { afterId, limit: 101 });
    const { rows } = await world.db.pool.query<{ 'QUERY PLAN': string }>(`EXPLAIN ${sql}`, params);
    return rows.map((r) => r['QUERY PLAN']).join('\n');
  }

  test('a page is an index scan in id order from the cursor that stops at the page size: no sort, no offset', async () => {
    // A small campaign among 40,000 attempts: its own index, from the cursor on.
    const small = await plan({ campaignId: campaign }, Number(ids[10]));
    expect(small).toMatch(/^Limit/);
    expect(small).toMatch(/Index Scan using attempt_campaign_idx on attempt a .*\n\s+Index Cond: \(\(campaign_id = .*\) AND \(id > .*\)\)/);
    expect(small).not.toMatch(/Sort|Seq Scan on attempt|Bitmap/);
    // One outcome of a large campaign: (campaign_id, outcome, id).
    const byOutcome = await plan({ campaignId: big, outcome: 'busy' }, 20_000);
    expect(byOutcome).toMatch(/Index Scan using attempt_campaign_outcome_idx on attempt a .*\n\s+Index Cond: \(\(campaign_id = .*\) AND \(outcome = .*\) AND \(id > .*\)\)/);
    expect(byOutcome).not.toMatch(/Sort|Seq Scan on attempt|Bitmap/);
    // A large campaign (a quarter of the table) may be read along the primary key instead: in id
    // order from the cursor too, so it stops after the page as well.
    const large = await plan({ campaignId: big }, 20_000);
    expect(large).toMatch(/Index Scan using (attempt_campaign_idx|attempt_pkey) on attempt a/);
    expect(large).not.toMatch(/Sort|Seq Scan on attempt|Bitmap/);
    process.stdout.write(`attempts page plans:\n--- small campaign\n${small}\n--- one outcome\n${byOutcome}\n--- large campaign\n${large}\n`);
  });

  test('the export streams every row, header first, to a caller with a key; numbers never reach the audit log', async () => {
    const res = await fetch(`${base}/exports/attempts.csv?campaignId=${big}`, { headers: { authorization: `Bearer ${world.keys.viewer}` } });
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('text/csv; charset=utf-8');
    // Streamed: no length known up front.
    expect(res.headers.get('content-length')).toBeNull();
    let lines = 0;
    let header = '';
    let rest = '';
    let chunks = 0;
    const decoder = new TextDecoder();
    for await (const chunk of res.body as unknown as AsyncIterable<Uint8Array>) {
      chunks++;
      const text = rest + decoder.decode(chunk, { stream: true });
      const parts = text.split('\r\n');
      rest = parts.pop()!;
      if (!header) header = parts[0];
      lines += parts.length;
    }
    expect(header).toBe(ATTEMPT_CSV_COLUMNS.join(','));
    expect(lines).toBe(10_001);
    expect(chunks).toBeGreaterThan(1);

    const audit = await waitForAudit(big);
    expect(audit).toMatchObject({
      actor: 'key:test-viewer', action: 'api.exportAttempts', entity_id: big,
      details: { rows: 10_000, complete: true, filter: { campaignId: big, byNumber: false } },
    });
    expect(audit.source).not.toBeNull();
  });
});

test('the export: refused without a key or with a bad filter; a filter by number is audited without the number', async () => {
  const anonymous = await fetch(`${base}/exports/attempts.csv?campaignId=${campaign}`);
  expect(anonymous.status).toBe(401);
  const madeUp = await fetch(`${base}/exports/attempts.csv?campaignId=${campaign}`, { headers: { authorization: 'Bearer dk_madeup' } });
  expect(madeUp.status).toBe(401);
  const bad = await fetch(`${base}/exports/attempts.csv?outcome=maybe`, { headers: { authorization: `Bearer ${world.keys.erp}` } });
  expect(bad.status).toBe(400);
  expect(((await bad.json()) as { issues: { path: string }[] }).issues.map((i) => i.path)).toEqual(['query.outcome']);

  const res = await fetch(`${base}/exports/attempts.csv?campaignId=${campaign}&number=${encodeURIComponent(numbers[2])}`,
    { headers: { authorization: `Bearer ${world.keys.erp}` } });
  const text = await res.text();
  const rows = text.trim().split('\r\n').slice(1);
  expect(rows).toHaveLength(8);
  expect(rows.every((r) => r.split(',')[4] === numbers[2])).toBe(true);
  // The caller ID a call presented; empty for the gate's refusals.
  const callerIds = rows.map((r) => [r.split(',')[7], r.split(',')[5]]);
  expect(callerIds).toContainEqual(['busy', FIXTURE_CALLER_ID]);
  expect(callerIds.filter(([outcome]) => outcome === 'refused').map(([, callerId]) => callerId)).toEqual(['', '']);
  const audit = await waitForAudit(campaign);
  expect(audit).toMatchObject({ actor: 'key:test-erp', details: { rows: 8, complete: true, filter: { byNumber: true } } });
  expect(JSON.stringify(audit)).not.toContain(numbers[2].slice(1));
});

async function waitForAudit(entityId: string): Promise<{ actor: string; entity_id: string; source: string | null; details: Record<string, any> }> {
  for (let i = 0; i < 50; i++) {
    const { rows } = await world.db.pool.query(
      `SELECT actor, action, entity_id, source, details FROM audit_log WHERE action = 'api.exportAttempts' AND entity_id = $1 ORDER BY id DESC LIMIT 1`, [entityId]);
    if (rows[0]) return rows[0];
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`no export audit row for ${entityId}`);
}
