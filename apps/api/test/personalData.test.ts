import { WorkflowNotFoundError } from '@temporalio/client';
import { existsSync } from 'node:fs';
import path from 'node:path';
import { startCampaign } from '../../../adapters/temporal/workflowStarters';
import { campaignWorkflowId, contactWorkflowId } from '../../../domain/ids';
import { createTestCampaign, insertContact } from '../../../test/fixtures';
import { startWorld, type StackWorld } from '../../../test/stackWorker';
import { graphql, startApiWorld, type ApiWorld } from './apiWorld';

// Deleting contacts' personal data through the API (docs/personalData.md), on a real worker,
// the stack's Temporal and Postgres and the ARI simulator: a small campaign runs to its end,
// an admin deletes the contacts imported before a moment, and then no name, number or amount
// of theirs is left in any text or json column of any table, their recordings are deleted,
// their personal audio is gone from the speech cache, their workflow histories are gone from
// Temporal, and the campaign's counts are what they were. A contact imported after the moment
// keeps everything (the scan finds it: it can fail). A filter that matches every contact
// without all: true, a viewer and an ERP deleting by a broad filter are refused, changing nothing.

jest.setTimeout(300_000);

let stack: StackWorld;
let api: ApiWorld;

beforeAll(async () => {
  stack = await startWorld();
  api = await startApiWorld({ db: stack.db, taskQueue: stack.config.TEMPORAL_TASK_QUEUE });
});
afterAll(async () => {
  await api?.close();
  await stack?.close();
});

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

interface Person { externalId: string; name: string; phones: string[]; amount: string; id?: number }

// Distinct names, numbers and amounts, so a scan can look for each. The simulator answers a
// number ending in 1 or 2, is busy for 5, never answers 7 and calls 9 invalid.
const deleted: Person[] = [
  { externalId: 'pd-answer', name: 'Удаляемова Агата', phones: ['+79163750401'], amount: '-735198.43' },
  { externalId: 'pd-busy-then-second', name: 'Удаляемов Борис', phones: ['+79163750415', '+79163750422'], amount: '-614273.52' },
  { externalId: 'pd-invalid', name: 'Удаляемов Вадим', phones: ['+79163750439'], amount: '-583162.97' },
  { externalId: 'pd-no-answer', name: 'Удаляемова Галина', phones: ['+79163750447'], amount: '-472051.36' },
];
const kept: Person = { externalId: 'pd-kept', name: 'Остающийся Дмитрий', phones: ['+79163750451'], amount: '-361947.65' };

/** Every written form of a person's data the dialer could have kept. */
function needles(p: Person): string[] {
  const whole = p.amount.replace(/^-/, '').split('.')[0];
  const spaced = whole.replace(/\B(?=(\d{3})+(?!\d))/g, ' ');
  return [
    p.name, p.name.split(' ')[0],
    ...p.phones.flatMap((e) => [e, e.slice(1), `8${e.slice(2)}`, e.slice(2)]),
    p.amount, p.amount.replace('.', ','), whole, spaced, spaced.replace(' ', '\u00a0'),
  ];
}

/** Every table and text-like column of the public schema holding any of the needles. */
async function scan(found: string[]): Promise<string[]> {
  const { pool } = stack.db;
  const { rows: columns } = await pool.query<{ table_name: string; column_name: string }>(
    `SELECT c.table_name, c.column_name FROM information_schema.columns c
       JOIN information_schema.tables t ON t.table_schema = c.table_schema AND t.table_name = c.table_name AND t.table_type = 'BASE TABLE'
      WHERE c.table_schema = 'public' AND (c.data_type IN ('text', 'jsonb', 'json', 'character varying', 'ARRAY', 'USER-DEFINED'))`);
  expect(columns.length).toBeGreaterThan(30);
  const hits: string[] = [];
  const patterns = found.map((n) => `%${n.replace(/[%_\\]/g, (m) => `\\${m}`)}%`);
  for (const c of columns) {
    const { rows } = await pool.query<{ v: string }>(
      `SELECT "${c.column_name}"::text AS v FROM "${c.table_name}" WHERE "${c.column_name}"::text LIKE ANY($1::text[]) LIMIT 1`, [patterns]);
    if (rows.length > 0) hits.push(`${c.table_name}.${c.column_name}`);
  }
  return hits;
}

const counts = async (campaignId: string): Promise<unknown> => {
  const { pool } = stack.db;
  const attempts = await pool.query(
    `SELECT outcome::text, count(*)::int AS n, min(started_at) AS first FROM attempt WHERE campaign_id = $1 GROUP BY 1 ORDER BY 1`, [campaignId]);
  const contacts = await pool.query(
    `SELECT state::text, outcome::text, attempts, count(*)::int AS n FROM contact WHERE campaign_id = $1 GROUP BY 1, 2, 3 ORDER BY 1, 2, 3`, [campaignId]);
  return { attempts: attempts.rows, contacts: contacts.rows };
};

const notFound = async (workflowId: string): Promise<boolean> => {
  try {
    await stack.client.workflow.getHandle(workflowId).describe();
    return false;
  } catch (err) {
    if (err instanceof WorkflowNotFoundError) return true;
    throw err;
  }
};

const DELETE = `mutation ($filter: PersonalDataFilter!, $requestId: String) {
  deletePersonalData(filter: $filter, requestId: $requestId) { jobId state matched contacts }
}`;
const JOB = `query ($jobId: ID!) {
  personalDataDeletion(jobId: $jobId) {
    jobId state matched contacts phones variables consents preparedMessages attempts importLines recordings histories audioFiles
  }
}`;

describe('deleting personal data by filter', () => {
  let campaignId: string;
  let cutoff: string;
  let before: unknown;
  const audioKeys = new Map<string, string[]>();
  const speechDir = (): string => stack.config.SPEECH_CACHE_DIR!;

  beforeAll(async () => {
    const { pool } = stack.db;
    campaignId = await createTestCampaign(pool, {
      state: 'draft', template: 'Здравствуйте, {{NAME}}! Ваша задолженность {{BALANCE|money}}. Спасибо.',
      maxAttemptsPerNumber: 2, retryIntervalSeconds: 1, ringTimeoutSeconds: 5,
    });
    for (const p of deleted) p.id = await insertContact(pool, campaignId, p.externalId, p.phones, { BALANCE: p.amount }, p.name);
    await sleep(50);
    cutoff = new Date().toISOString();
    await sleep(50);
    kept.id = await insertContact(pool, campaignId, kept.externalId, kept.phones, { BALANCE: kept.amount }, kept.name);
    // A list import's warnings quote the lines they kept: one line per person.
    const { rows: [imp] } = await pool.query<{ id: string }>(
      `INSERT INTO list_import (campaign_id, file_name, created_by) VALUES ($1, 'list.csv', 'test') RETURNING id`, [campaignId]);
    for (const [i, p] of [...deleted, kept].entries()) {
      await pool.query(
        `INSERT INTO list_import_issue (import_id, line, field, severity, reason, raw) VALUES ($1, $2, 'PHONE_NUMBER', 'warning', 'read as Russian', $3)`,
        [imp.id, i + 2, `${p.name};8${p.phones[0].slice(2)};BALANCE=${p.amount}`]);
    }
    await startCampaign({ pool, temporal: stack.client, taskQueue: stack.config.TEMPORAL_TASK_QUEUE }, campaignId, 'test', { pollIntervalMs: 200 });
    const summary = await stack.client.workflow.getHandle(campaignWorkflowId(campaignId)).result();
    expect(summary).toMatchObject({ state: 'completed' });
    // A recording of an answered call, as the call step keeps it (the simulator stores no file:
    // its DELETE answers 404, and the row is marked all the same).
    await pool.query(
      `INSERT INTO call_recording (workflow_id, seq, campaign_id, name, started_at, ended_at, duration_ms, bytes, expires_at)
       SELECT workflow_id, seq, campaign_id, 'call-test-' || id, started_at, ended_at, 1000, 16000, now() + interval '1 year'
         FROM attempt WHERE campaign_id = $1 AND outcome = 'answered'`, [campaignId]);
    for (const p of [...deleted, kept]) {
      const { rows } = await pool.query<{ audio_key: string }>('SELECT audio_key FROM prepared_message WHERE contact_id = $1', [p.id]);
      audioKeys.set(p.externalId, rows.map((r) => r.audio_key));
    }
    before = await counts(campaignId);
  });

  it('ran the campaign with every kind of data in place (the scan finds them)', async () => {
    const hits = await scan(deleted.flatMap(needles));
    for (const place of ['contact.full_name', 'contact_phone.e164', 'contact_phone.raw', 'contact_variable.value', 'attempt.e164', 'attempt.message_text', 'prepared_message.text', 'list_import_issue.raw']) {
      expect(hits).toContain(place);
    }
    for (const p of [...deleted, kept].filter((x) => x.externalId !== 'pd-invalid')) {
      expect(audioKeys.get(p.externalId)!.length).toBeGreaterThan(0);
      for (const k of audioKeys.get(p.externalId)!) expect(existsSync(path.join(speechDir(), `${k}.sln`))).toBe(true);
    }
    expect(await notFound(contactWorkflowId(campaignId, 'pd-answer'))).toBe(false);
  });

  it('refuses a filter that matches every contact without all: true, a viewer, and an ERP naming no contacts; nothing changes', async () => {
    for (const filter of [{}, { all: false }, { all: true, campaignId }, { contactIds: [] }]) {
      const answer = await graphql(api.url, DELETE, { filter }, api.keys.admin);
      expect(answer.data).toBeNull();
      expect(answer.errors?.[0].message).toMatch(/^filter\.(all|contactIds): /);
    }
    expect((await graphql(api.url, DELETE, { filter: {} }, api.keys.admin)).errors?.[0].message)
      .toContain('this filter matches every contact: name contacts');
    for (const role of ['viewer', 'supervisor'] as const) {
      const answer = await graphql(api.url, DELETE, { filter: { campaignId } }, api.keys[role]);
      expect(answer.data).toBeNull();
      expect(answer.errors?.[0].extensions?.code).toBe('FORBIDDEN');
    }
    const erp = await graphql(api.url, DELETE, { filter: { campaignId } }, api.keys.erp);
    expect(erp.errors?.[0].message).toMatch(/^filter: an ERP names the contacts it deletes/);
    expect(await counts(campaignId)).toEqual(before);
    const { rows } = await stack.db.pool.query(`SELECT 1 FROM audit_log WHERE action = 'personal_data.deleted'`);
    expect(rows).toHaveLength(0);
    expect(await scan(deleted.flatMap(needles))).toContain('contact.full_name');
  });

  let jobId: string;

  it('deletes them as a job whose progress the API reports; the same requestId is the same job', async () => {
    const filter = { campaignId, importedBefore: cutoff };
    const started = await graphql<{ deletePersonalData: { jobId: string } }>(api.url, DELETE, { filter, requestId: `test-${campaignId}` }, api.keys.admin);
    expect(started.errors).toBeUndefined();
    jobId = started.data!.deletePersonalData.jobId;
    const again = await graphql<{ deletePersonalData: { jobId: string } }>(api.url, DELETE, { filter, requestId: `test-${campaignId}` }, api.keys.admin);
    expect(again.data!.deletePersonalData.jobId).toBe(jobId);
    let job: Record<string, unknown> = {};
    for (let i = 0; i < 120; i++) {
      job = (await graphql<{ personalDataDeletion: Record<string, unknown> }>(api.url, JOB, { jobId }, api.keys.admin)).data!.personalDataDeletion;
      if (job.state !== 'running') break;
      await sleep(500);
    }
    expect(job).toMatchObject({ state: 'completed', matched: deleted.length, contacts: deleted.length, phones: 5, variables: deleted.length, histories: deleted.length });
    expect(job.recordings).toBeGreaterThanOrEqual(2);
    expect(job.importLines).toBe(deleted.length);
    expect(job.audioFiles).toBeGreaterThanOrEqual(3);
    // A viewer may not see the job either.
    expect((await graphql(api.url, JOB, { jobId }, api.keys.viewer)).errors?.[0].extensions?.code).toBe('FORBIDDEN');
  });

  it('leaves no name, number or amount of theirs in any table, and the kept contact whole', async () => {
    expect(await scan(deleted.flatMap(needles))).toEqual([]);
    const keptHits = await scan(needles(kept));
    for (const place of ['contact.full_name', 'contact_phone.e164', 'contact_variable.value', 'attempt.e164', 'list_import_issue.raw']) expect(keptHits).toContain(place);
  });

  it('keeps the campaign\'s counts: attempts by outcome and hour, contacts by state and outcome', async () => {
    expect(await counts(campaignId)).toEqual(before);
  });

  it('deleted their recordings and their personal audio, not the kept contact\'s', async () => {
    const { rows } = await stack.db.pool.query<{ external_id: string; deleted: boolean }>(
      `SELECT c.external_id, r.deleted_at IS NOT NULL AS deleted FROM call_recording r
         JOIN attempt a ON a.workflow_id = r.workflow_id AND a.seq = r.seq JOIN contact c ON c.id = a.contact_id
        WHERE r.campaign_id = $1`, [campaignId]);
    expect(rows.filter((r) => r.external_id === kept.externalId).map((r) => r.deleted)).toEqual([false]);
    expect(rows.filter((r) => r.external_id !== kept.externalId).every((r) => r.deleted)).toBe(true);
    for (const p of deleted) for (const k of audioKeys.get(p.externalId)!) expect(existsSync(path.join(speechDir(), `${k}.sln`))).toBe(false);
    for (const k of audioKeys.get(kept.externalId)!) expect(existsSync(path.join(speechDir(), `${k}.sln`))).toBe(true);
  });

  it('deleted their workflow histories from Temporal, not the kept contact\'s', async () => {
    for (const p of deleted) {
      let gone = false;
      // The server deletes a history asynchronously after it accepted the request: seconds, more on a busy machine.
      for (let i = 0; i < 240 && !gone; i++) {
        gone = await notFound(contactWorkflowId(campaignId, p.externalId));
        if (!gone) await sleep(250);
      }
      expect({ [p.externalId]: gone }).toEqual({ [p.externalId]: true });
    }
    expect(await notFound(contactWorkflowId(campaignId, kept.externalId))).toBe(false);
    // The campaign's own history never held them.
    const history = JSON.stringify(await stack.client.workflow.getHandle(campaignWorkflowId(campaignId)).fetchHistory());
    for (const n of deleted.flatMap(needles).filter((x) => x.length > 6)) expect(history).not.toContain(n);
  });

  it('audited who deleted what, with ids and counts only', async () => {
    const { rows } = await stack.db.pool.query<{ actor: string; details: { contactIds: number[]; contacts: number } }>(
      `SELECT actor, details FROM audit_log WHERE action = 'personal_data.deleted' AND entity_id = $1`, [jobId]);
    expect(rows.length).toBeGreaterThanOrEqual(1);
    expect(rows[0].actor).toBe('key:test-admin');
    expect(rows.flatMap((r) => r.details.contactIds).sort()).toEqual(deleted.map((p) => p.id!).sort());
  });

  it('is idempotent: the same filter again finds nothing left to delete', async () => {
    const answer = await graphql<{ deletePersonalData: { jobId: string } }>(api.url, DELETE, { filter: { campaignId, importedBefore: cutoff } }, api.keys.admin);
    const again = answer.data!.deletePersonalData.jobId;
    let job: Record<string, unknown> = {};
    for (let i = 0; i < 60; i++) {
      job = (await graphql<{ personalDataDeletion: Record<string, unknown> }>(api.url, JOB, { jobId: again }, api.keys.admin)).data!.personalDataDeletion;
      if (job.state !== 'running') break;
      await sleep(500);
    }
    expect(job).toMatchObject({ state: 'completed', matched: 0, contacts: 0 });
    expect(await counts(campaignId)).toEqual(before);
  });

  it('lets an ERP delete its own contact by external id', async () => {
    const answer = await graphql<{ deletePersonalData: { jobId: string } }>(
      api.url, DELETE, { filter: { campaignId, externalIds: [kept.externalId] } }, api.keys.erp);
    expect(answer.errors).toBeUndefined();
    const id = answer.data!.deletePersonalData.jobId;
    let job: Record<string, unknown> = {};
    for (let i = 0; i < 60; i++) {
      job = (await graphql<{ personalDataDeletion: Record<string, unknown> }>(api.url, JOB, { jobId: id }, api.keys.erp)).data!.personalDataDeletion;
      if (job.state !== 'running') break;
      await sleep(500);
    }
    expect(job).toMatchObject({ state: 'completed', contacts: 1 });
    expect(await scan(needles(kept))).toEqual([]);
    expect(await counts(campaignId)).toEqual(before);
  });

  it('logs every read of personal fields through the API: who, what, which rows', async () => {
    const answer = await graphql<{ attempts: { items: { id: string; number: string | null }[] } }>(api.url,
      'query ($f: AttemptFilter!) { attempts(filter: $f, first: 100) { items { id number } } }', { f: { campaignId } }, api.keys.viewer);
    expect(answer.errors).toBeUndefined();
    const items = answer.data!.attempts.items;
    expect(items.length).toBeGreaterThan(0);
    expect(items.every((a) => a.number === null)).toBe(true);
    await graphql(api.url, 'query ($c: String!, $e: String!) { contact(campaignId: $c, externalId: $e) { id } }', { c: campaignId, e: 'nobody' }, api.keys.viewer);
    const { rows } = await stack.db.pool.query<{ actor: string; entity_id: string; details: { what: string; rows: number; attemptIds: number[] } }>(
      `SELECT actor, entity_id, details FROM audit_log WHERE action = 'personal_data.read' ORDER BY id`);
    expect(rows.map((r) => [r.actor, r.entity_id, r.details.what, r.details.rows])).toEqual([
      ['key:test-viewer', campaignId, 'attempts', items.length],
      ['key:test-viewer', campaignId, 'contact', 0],
    ]);
    expect(rows[0].details.attemptIds).toEqual(items.map((a) => Number(a.id)));
  });
});

describe('deleting a contact whose workflow still runs', () => {
  it('terminates the workflow, deletes its history and cancels the contact; its campaign completes', async () => {
    const { pool } = stack.db;
    // Busy, and the retry an hour away: the contact's workflow sleeps on its timer.
    const campaignId = await createTestCampaign(pool, { state: 'draft', maxAttemptsPerNumber: 2, retryIntervalSeconds: 3600, ringTimeoutSeconds: 5 });
    const contactId = await insertContact(pool, campaignId, 'sleeping', ['+79163750495'], { BALANCE: '-1.00' }, 'Спящий Абонент');
    await startCampaign({ pool, temporal: stack.client, taskQueue: stack.config.TEMPORAL_TASK_QUEUE }, campaignId, 'test', { pollIntervalMs: 200 });
    const workflowId = contactWorkflowId(campaignId, 'sleeping');
    for (let i = 0; i < 120; i++) {
      const { rows } = await pool.query('SELECT 1 FROM attempt WHERE contact_id = $1', [contactId]);
      if (rows.length > 0) break;
      await sleep(250);
    }
    expect((await stack.client.workflow.getHandle(workflowId).describe()).status.name).toBe('RUNNING');

    const answer = await graphql<{ deletePersonalData: { jobId: string } }>(api.url, DELETE, { filter: { contactIds: [contactId] } }, api.keys.erp);
    expect(answer.errors).toBeUndefined();
    let job: Record<string, unknown> = {};
    for (let i = 0; i < 60; i++) {
      job = (await graphql<{ personalDataDeletion: Record<string, unknown> }>(api.url, JOB, { jobId: answer.data!.deletePersonalData.jobId }, api.keys.erp)).data!.personalDataDeletion;
      if (job.state !== 'running') break;
      await sleep(500);
    }
    expect(job).toMatchObject({ state: 'completed', contacts: 1, histories: 1, attempts: 1 });
    const { rows: [contact] } = await pool.query('SELECT state, full_name, personal_data_deleted_at FROM contact WHERE id = $1', [contactId]);
    expect(contact).toMatchObject({ state: 'cancelled', full_name: null });
    let gone = false;
    for (let i = 0; i < 240 && !gone; i++) {
      gone = await notFound(workflowId);
      if (!gone) await sleep(250);
    }
    expect(gone).toBe(true);
    const summary = await stack.client.workflow.getHandle(campaignWorkflowId(campaignId)).result();
    expect(summary).toMatchObject({ state: 'completed' });
  });
});
