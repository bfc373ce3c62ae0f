import { Client, Connection } from '@temporalio/client';
import { createReadStream } from 'node:fs';
import path from 'node:path';
import { Pool } from 'pg';
import { createCampaign, upsertTemplate } from '../../adapters/postgres/campaigns';
import { startCampaign } from '../../adapters/temporal/workflowStarters';
import { loadConfig } from '../../common/config';
import { importList } from '../../imports/contactList';
import { campaignWorkflowId, contactWorkflowId } from '../../domain/ids';
import { renderProgress, type ProgressCounts } from './progressLine';
import { renderTable, type ResultRow } from './resultsTable';

// The demo: a real campaign end to end on the example list, against the worker and the ARI
// simulator that scripts/demo.sh has started. A new campaign every run, so it can run again.

const EXAMPLE_LIST = path.resolve(__dirname, '../../examples/accounting-demo.csv');
const TEMPLATE = 'Здравствуйте, {{NAME}}! Ваша задолженность составляет {{BALANCE|money}}. '
  + 'Чтобы поговорить с оператором, нажмите 1.';

async function main(): Promise<void> {
  const config = loadConfig();
  const uiUrl = process.env.TEMPORAL_UI_URL ?? 'http://127.0.0.1:8233';
  const pool = new Pool({ connectionString: config.DATABASE_URL, max: 4 });
  const connection = await Connection.connect({ address: config.TEMPORAL_ADDRESS });
  const temporal = new Client({ connection, namespace: config.TEMPORAL_NAMESPACE });
  try {
    const stamp = new Date().toISOString().replace(/[-:]/g, '').replace('T', '-').slice(0, 15);
    const campaignId = `demo-${stamp}`.toLowerCase();
    const templateId = await upsertTemplate(pool, 'demo-debt-reminder', TEMPLATE);
    await createCampaign(pool, {
      id: campaignId,
      name: `Demo debt reminder ${stamp}`,
      callerId: '+74951234567',
      timeZone: 'Europe/Moscow',
      // All day, so the demo runs at any hour; a real campaign keeps 09:00-20:00 (the default).
      windowStart: '00:00',
      windowEnd: '24:00',
      maxAttemptsPerNumber: 2,
      retryIntervalSeconds: 5,
      ringTimeoutSeconds: 20,
      maxInFlight: 12,
      templateId,
    }, 'demo');
    console.log(`Campaign ${campaignId} created (window 00:00-24:00 Europe/Moscow, 2 attempts per number, retry after 5 s).`);

    const report = await importList({
      pool, campaignId, fileName: path.basename(EXAMPLE_LIST), input: createReadStream(EXAMPLE_LIST), createdBy: 'demo',
    });
    console.log(`Imported ${report.rowsImported} of ${report.rowsTotal} rows from ${path.relative(process.cwd(), EXAMPLE_LIST)}; `
      + `${report.rowsRejected} rejected:`);
    for (const issue of report.issues) {
      console.log(`  line ${issue.line}: ${issue.severity}${issue.field ? ` in ${issue.field}` : ''}: ${issue.reason}`);
    }

    const { workflowId } = await startCampaign({ pool, temporal, taskQueue: config.TEMPORAL_TASK_QUEUE }, campaignId, 'demo', { pollIntervalMs: 500 });
    console.log(`Campaign workflow ${workflowId} started; calling through ${process.env.DEMO_TELEPHONY ?? 'ARI'}...`);
    const done = temporal.workflow.getHandle(campaignWorkflowId(campaignId)).result();
    await showProgressUntil(pool, campaignId, done);

    const rows = await results(pool, campaignId);
    console.log(`\n${renderTable(rows)}\n`);
    const firstId = (await pool.query('SELECT external_id FROM contact WHERE campaign_id = $1 ORDER BY id LIMIT 1', [campaignId])).rows[0]?.external_id;
    console.log(`Temporal UI: ${uiUrl}/namespaces/${config.TEMPORAL_NAMESPACE}/workflows`);
    if (firstId) {
      console.log(`  one contact's history: ${uiUrl}/namespaces/${config.TEMPORAL_NAMESPACE}/workflows/${encodeURIComponent(contactWorkflowId(campaignId, firstId))}`);
    }
    console.log(`  the campaign: ${uiUrl}/namespaces/${config.TEMPORAL_NAMESPACE}/workflows/${encodeURIComponent(campaignWorkflowId(campaignId))}`);
  } finally {
    await connection.close();
    await pool.end();
  }
}

async function showProgressUntil(pool: Pool, campaignId: string, done: Promise<unknown>): Promise<void> {
  let finished = false;
  void done.finally(() => { finished = true; });
  const tty = process.stdout.isTTY;
  let lastPrinted = 0;
  for (;;) {
    const line = renderProgress(await counts(pool, campaignId));
    if (tty) process.stdout.write(`\r${line}\x1b[K`);
    else if (finished || Date.now() - lastPrinted > 3000) { console.log(line); lastPrinted = Date.now(); }
    if (finished) break;
    await Promise.race([done, new Promise((r) => setTimeout(r, 300))]);
  }
  if (tty) process.stdout.write('\n');
  await done;
}

async function counts(pool: Pool, campaignId: string): Promise<ProgressCounts> {
  const { rows } = await pool.query(
    `SELECT count(*)::int AS total,
            count(*) FILTER (WHERE state NOT IN ('pending', 'in_progress'))::int AS finished,
            count(*) FILTER (WHERE state = 'in_progress')::int AS in_progress,
            (SELECT count(*)::int FROM attempt WHERE campaign_id = $1 AND outcome <> 'refused') AS attempts,
            (SELECT coalesce(json_object_agg(outcome, n), '{}') FROM
               (SELECT outcome, count(*)::int AS n FROM attempt WHERE campaign_id = $1 GROUP BY outcome) o) AS by_outcome
       FROM contact WHERE campaign_id = $1`,
    [campaignId],
  );
  const r = rows[0];
  return { total: r.total, finished: r.finished, inProgress: r.in_progress, attempts: r.attempts, byOutcome: r.by_outcome };
}

async function results(pool: Pool, campaignId: string): Promise<ResultRow[]> {
  const { rows } = await pool.query(
    `SELECT c.id, c.full_name, c.state, p.position, p.e164,
            (SELECT CASE WHEN a.outcome = 'refused' THEN 'refused: ' || (a.gate->>'refusal') ELSE a.outcome::text END
               FROM attempt a WHERE a.contact_id = c.id AND a.phone_position = p.position
              ORDER BY a.seq DESC LIMIT 1) AS outcome,
            (SELECT count(*)::int FROM attempt a WHERE a.contact_id = c.id AND a.phone_position = p.position
              AND a.outcome <> 'refused') AS attempts
       FROM contact c JOIN contact_phone p ON p.contact_id = c.id
      WHERE c.campaign_id = $1
      ORDER BY c.id, p.position`,
    [campaignId],
  );
  let lastContact = -1;
  return rows.map((r) => {
    const first = r.id !== lastContact;
    lastContact = r.id;
    return {
      contact: first ? r.full_name ?? '' : '',
      number: r.e164,
      outcome: r.outcome ?? 'not called',
      attempts: r.attempts,
      contactState: first ? r.state : '',
    };
  });
}

main().catch((err) => {
  console.error(`demo failed: ${err instanceof Error ? err.message : String(err)}`);
  process.exit(1);
});
