import { mkdtempSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { startWorld, type StackWorld } from '../../../test/stackWorker';
import { graphql, startApiWorld, type ApiWorld } from './apiWorld';
import { subscribe, wsClient, type Watched } from './liveClient';

// The ERP's whole day through the API, on a real worker, the stack's Temporal and the ARI
// simulator: a template and a campaign, a list of 1,000 rows uploaded and imported (3 refused
// by line), start, live counters over a WebSocket, a pause that lets no call out after it
// returned (the simulator's own originate log is the proof), resume, completion, every attempt
// read back by keyset pages and as CSV. Only plain HTTP and WebSocket, as the ERP speaks; SQL
// only to read the audit rows, which must hold no name, number or amount of the list.

// Every contact's name and amount are synthesised by the offline voice (two espeak-ng runs per
// contact on the same two cores as the stack): the run is CPU-bound, not stuck.
jest.setTimeout(400_000);

const ROWS = 1000;
const GOOD = ROWS - 3;
// Calls of about a second and a half of real time (ringing, the message, the DTMF wait): a
// pause always finds some up, and 997 of them still take well under a minute.
const TIME_SCALE = 0.1;

let stack: StackWorld;
let api: ApiWorld;
let key: string;
const uploadDir = mkdtempSync(path.join(os.tmpdir(), 'dialer-erp-e2e-'));

beforeAll(async () => {
  process.env.API_UPLOAD_DIR = uploadDir;
  stack = await startWorld({ timeScale: TIME_SCALE });
  api = await startApiWorld({ db: stack.db, taskQueue: stack.config.TEMPORAL_TASK_QUEUE });
  key = api.keys.erp;
});
afterAll(async () => {
  delete process.env.API_UPLOAD_DIR;
  await api?.close();
  await stack?.close();
});

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/** A GraphQL call that must succeed: its data, or the errors in the failure message. */
async function ok<T = Record<string, any>>(query: string, variables: Record<string, unknown> = {}): Promise<T> {
  const answer = await graphql<T>(api.url, query, variables, key);
  if (answer.errors) throw new Error(`${query.slice(0, 60)}…: ${JSON.stringify(answer.errors)}`);
  return answer.data!;
}

const base = (): string => api.url.replace(/\/graphql$/, '');

// The accounting shape (imports/contactLists.md): NAME, PHONE_NUMBER, USER_VARS, ";" between
// fields, the header on line 1. Every number ends in 1 (the simulator answers it); the names,
// numbers and amounts are all distinct so the audit rows can be searched for each.
const nameOf = (line: number) => `Проверочный Абонент ${line}`;
const numberOf = (line: number) => `+7916${String(line).padStart(6, '0')}1`;
const amountOf = (line: number) => `-${1000 + line},${String(line % 100).padStart(2, '0')}`;
const BROKEN = new Map<number, { field: string | null; reason: unknown }>([
  [101, { field: 'PHONE_NUMBER', reason: 'too short: 4 digits' }],
  [502, { field: 'USER_VARS', reason: expect.stringContaining('BALANCE is not an amount') }],
  [803, { field: null, reason: expect.stringContaining('expected 3 columns') }],
]);

function accountingCsv(): Buffer {
  const lines = ['"NAME";"PHONE_NUMBER";"USER_VARS"'];
  for (let line = 2; line <= ROWS + 1; line++) {
    const row = [nameOf(line), numberOf(line), `BALANCE=${amountOf(line)}`];
    if (line === 101) row[1] = '1234';
    if (line === 502) row[2] = 'BALANCE=a lot';
    if (line === 803) row.push('extra');
    lines.push(row.map((f) => `"${f}"`).join(';'));
  }
  return Buffer.from(`${lines.join('\r\n')}\r\n`, 'utf8');
}

interface Counters {
  contacts: number; pending: number; inProgress: number; finished: number; calls: number;
  doneByOutcome: { name: string; count: number }[]; refusedByRule: { name: string; count: number }[];
}
const COUNTERS = `subscription($c: String!) { campaignCounters(campaignId: $c) {
  contacts pending inProgress finished calls doneByOutcome { name count } refusedByRule { name count } } }`;

const campaignId = `erp-e2e-${Date.now().toString(36)}`;
let live: Watched<{ campaignCounters: Counters }>;
let pausedAt = 0;

afterAll(async () => { await live?.close(); });

test('the ERP creates a template and a campaign', async () => {
  const { createTemplate } = await ok(`mutation($i: NewTemplateInput!) { createTemplate(input: $i) { id variables } }`,
    { i: { name: 'erp-e2e-reminder', body: 'Здравствуйте, {{NAME}}! Ваша задолженность {{BALANCE|money}}.' } });
  expect(createTemplate.variables).toEqual(['NAME', 'BALANCE']);
  const { createCampaign } = await ok(`mutation($i: NewCampaignInput!) { createCampaign(input: $i) { id state } }`, {
    i: {
      id: campaignId, name: 'ERP end to end', callerId: '+74950000000', timeZone: 'Europe/Moscow',
      windowStart: '00:00', windowEnd: '24:00', legalPolicy: 'none', maxAttemptsPerNumber: 3, retryIntervalSeconds: 1,
      maxInFlight: 100, templateId: createTemplate.id,
    },
  });
  expect(createCampaign).toEqual({ id: campaignId, state: 'draft' });
});

test('uploads a list of 1,000 rows and imports it: exactly the 3 broken lines are refused, by number', async () => {
  const form = new FormData();
  form.append('file', new Blob([accountingCsv()]), 'debtors.csv');
  const res = await fetch(`${base()}/uploads`, { method: 'POST', body: form, headers: { authorization: `Bearer ${key}` } });
  expect(res.status).toBe(201);
  const { uploadId } = (await res.json()) as { uploadId: string };
  const { importList } = await ok(`mutation($c: String!, $u: String!) { importList(campaignId: $c, uploadId: $u) { id } }`,
    { c: campaignId, u: uploadId });
  let job: Record<string, any>;
  for (;;) {
    job = (await ok(`query($id: Int!) { listImport(id: $id) { state rowsRead imported unchanged refused error
      issues(severity: error, first: 1000) { line field reason } } }`, { id: importList.id })).listImport;
    if (job.state !== 'running') break;
    await sleep(100);
  }
  expect(job).toMatchObject({ state: 'done', rowsRead: ROWS, imported: GOOD, unchanged: 0, refused: 3, error: null });
  expect(job.issues).toEqual([...BROKEN].map(([line, issue]) => ({ line, ...issue })));
});

test('starts the campaign and follows it live; a pause lets no call out after it returned', async () => {
  live = subscribe(wsClient(api.url, `Bearer ${key}`), COUNTERS, { c: campaignId });
  const first = await live.next(() => true);
  expect(first.data.campaignCounters).toMatchObject({ contacts: GOOD, pending: GOOD, calls: 0, finished: 0 });

  const { startCampaign } = await ok(`mutation($id: String!) { startCampaign(id: $id) { from state changed } }`, { id: campaignId });
  expect(startCampaign).toEqual({ from: 'draft', state: 'running', changed: true });

  // Mid-way, with calls up (a wait, not a speed claim: each contact's message is synthesised on the same two cores).
  await live.next((d) => d.campaignCounters.calls >= 150, 300_000);
  // On a loaded machine calls come in bursts (synthesis and workflow tasks queue on the same
  // cores), so the moment 150 are counted may fall between bursts: pause only with calls up.
  const upBy = Date.now() + 60_000;
  while (stack.sim.stats().activeChannels === 0 && Date.now() < upBy) await sleep(20);
  expect(stack.sim.stats().activeChannels).toBeGreaterThan(0);
  const { pauseCampaign } = await ok(`mutation($id: String!) { pauseCampaign(id: $id) { from state changed } }`, { id: campaignId });
  pausedAt = Date.now();
  expect(pauseCampaign).toEqual({ from: 'running', state: 'paused', changed: true });

  // The calls up at the pause end; then long enough for every contact in flight to meet the gate.
  const deadline = Date.now() + 30_000;
  while (stack.sim.stats().activeChannels > 0 && Date.now() < deadline) await sleep(100);
  expect(stack.sim.stats().activeChannels).toBe(0);
  await sleep(2000);
  const originates = stack.sim.originates();
  expect(originates.filter((o) => o.atMs > pausedAt)).toEqual([]);
  expect(originates.length).toBeLessThan(GOOD);

  // The live counters agree: every call placed is counted, and nothing moves while paused.
  const atPause = await live.next((d) => d.campaignCounters.calls === originates.length, 5000);
  expect(atPause.data.campaignCounters.finished).toBeLessThan(GOOD);
  const { campaignWaits } = await ok(`query($c: String!) { campaignWaits(campaignId: $c) { state hold } }`, { c: campaignId });
  expect(campaignWaits).toEqual({ state: 'paused', hold: 'paused' });
});

test('resumes; the subscription follows the campaign to its end: all 997 finished, answered', async () => {
  const { resumeCampaign } = await ok(`mutation($id: String!) { resumeCampaign(id: $id) { from state changed } }`, { id: campaignId });
  expect(resumeCampaign).toEqual({ from: 'paused', state: 'running', changed: true });
  const end = await live.next((d) => d.campaignCounters.finished === GOOD, 330_000);
  // Every number answers; a call that fails on a loaded machine (an ARI request timing out) is
  // retried by the strategy, behind the gate, so calls may exceed the contacts, never fall short.
  expect(end.data.campaignCounters).toMatchObject({
    contacts: GOOD, pending: 0, inProgress: 0, doneByOutcome: [{ name: 'answered', count: GOOD }],
  });
  expect(end.data.campaignCounters.calls).toBeGreaterThanOrEqual(GOOD);
  expect(stack.sim.originates()).toHaveLength(end.data.campaignCounters.calls);
  let state = '';
  for (let i = 0; i < 100 && state !== 'completed'; i++) {
    state = (await ok(`query($id: String!) { campaign(id: $id) { state } }`, { id: campaignId })).campaign.state;
    if (state !== 'completed') await sleep(100);
  }
  expect(state).toBe('completed');
});

let attemptIds: string[] = [];

test('reads every attempt back by keyset pages: as many as the calls and the refusals counted', async () => {
  const PAGE = `query($f: AttemptFilter!, $after: ID) { attempts(filter: $f, first: 200, after: $after) {
    items { id externalId outcome } endCursor hasNextPage } }`;
  let after: string | null = null;
  const items: { id: string; externalId: string; outcome: string }[] = [];
  for (let pages = 0; ; pages++) {
    expect(pages).toBeLessThan(50);
    const page: { items: typeof items; endCursor: string | null; hasNextPage: boolean } =
      (await ok(PAGE, { f: { campaignId }, after })).attempts;
    items.push(...page.items);
    if (!page.hasNextPage) break;
    after = page.endCursor;
  }
  attemptIds = items.map((a) => a.id);
  expect(new Set(attemptIds).size).toBe(items.length);
  expect(attemptIds.map(Number)).toEqual([...attemptIds.map(Number)].sort((a, b) => a - b));

  // The attempt rows are the calls placed and the gate's refusals (the contacts the pause held).
  const { campaign } = await ok(`query($id: String!) { campaign(id: $id) { counters { calls refusedByRule { name count } } } }`, { id: campaignId });
  const refusals = campaign.counters.refusedByRule.reduce((n: number, r: { count: number }) => n + r.count, 0);
  expect(items.length).toBe(campaign.counters.calls + refusals);
  const placed = items.filter((a) => a.outcome !== 'refused');
  expect(placed).toHaveLength(campaign.counters.calls);
  // The only calls that did not answer are failed ones the strategy retried.
  expect([...new Set(placed.filter((a) => a.outcome !== 'answered').map((a) => a.outcome))].filter((o) => o !== 'failed')).toEqual([]);
  expect(campaign.counters.refusedByRule.map((r: { name: string }) => r.name)).toEqual(refusals ? ['campaign_paused'] : []);
  expect(new Set(items.filter((a) => a.outcome === 'answered').map((a) => a.externalId)).size).toBe(GOOD);

  // One contact, whole, by the ERP's id.
  const one = items.find((a) => a.outcome === 'answered')!;
  const { contact } = await ok(`query($c: String!, $e: String!) { contact(campaignId: $c, externalId: $e) {
    state outcome calls temporalUrl } }`, { c: campaignId, e: one.externalId });
  expect(contact).toMatchObject({ state: 'done', outcome: 'answered', calls: 1 });
  expect(contact.temporalUrl).toContain(encodeURIComponent(`contact/${campaignId}/${one.externalId}`));
});

test('exports the attempts as CSV: one line per attempt', async () => {
  const res = await fetch(`${base()}/exports/attempts.csv?campaignId=${campaignId}`, { headers: { authorization: `Bearer ${key}` } });
  expect(res.status).toBe(200);
  const lines = (await res.text()).split('\r\n').filter((l) => l !== '');
  expect(lines[0]).toMatch(/^attempt_id,campaign_id,external_id,/);
  expect(lines.slice(1).map((l) => l.split(',')[0])).toEqual(attemptIds);
});

test('the audit rows of the run name every step and hold no name, number or amount of the list', async () => {
  // The export's audit row is written when its response closes.
  let rows: { actor: string; action: string; entity: string; entity_id: string; details: unknown; source: unknown }[] = [];
  for (let i = 0; i < 50; i++) {
    rows = (await stack.db.pool.query('SELECT actor, action, entity, entity_id, details, source FROM audit_log ORDER BY id')).rows;
    if (rows.some((r) => r.action === 'api.exportAttempts')) break;
    await sleep(100);
  }
  const actions = new Set(rows.map((r) => r.action));
  for (const action of ['api.createTemplate', 'api.createCampaign', 'api.importList', 'api.startCampaign', 'api.pauseCampaign',
    'api.resumeCampaign', 'api.exportAttempts', 'campaign.state_changed']) {
    expect(actions).toContain(action);
  }
  expect(rows.filter((r) => r.action === 'campaign.state_changed').map((r) => r.details)).toEqual([
    { from: 'draft', to: 'running' }, { from: 'running', to: 'paused' }, { from: 'paused', to: 'running' },
  ]);
  // Lists of ids (the read audit names the attempts it served) are no amounts, though
  // "[…,1010,1011,…]" contains the text of 1010,10: they are left out of the search.
  const text = JSON.stringify(rows).replace(/\[\d+(,\d+)*\]/g, '[ids]');
  const leaks: string[] = [];
  for (let line = 2; line <= ROWS + 1; line++) {
    const digits = numberOf(line).slice(1);
    const amount = amountOf(line).slice(1);
    for (const secret of [nameOf(line), digits, digits.slice(1), amount, amount.replace(',', '.')]) {
      if (text.includes(secret)) leaks.push(secret);
    }
  }
  expect(text).not.toContain('Абонент');
  expect(text).not.toContain('Проверочный');
  expect(leaks).toEqual([]);
});
