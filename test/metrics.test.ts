import { randomBytes } from 'node:crypto';
import { Readable } from 'node:stream';
import { startMetricsServer, type MetricsServer } from '../adapters/metrics/metricsServer';
import { registry } from '../adapters/metrics/registry';
import { startCampaign } from '../adapters/temporal/workflowStarters';
import { campaignWorkflowId } from '../domain/ids';
import { importList } from '../imports/contactList';
import { createTestCampaign } from './fixtures';
import { startWorld, type StackWorld } from './stackWorker';

// The worker's metrics after a small campaign on the ARI simulator (the number's last digit
// picks the subscriber: 0 answers, 6 is busy, 7 does not answer, 9 is not a number): the
// counters agree with the attempt rows, nothing is left in flight, and no number or name of the
// list appears anywhere in what Prometheus would read.

jest.setTimeout(180_000);

const LIST = [
  ['Анна Метрикова', '79160000310', 'BALANCE=-10.00'],
  ['Борис Метриков', '79160000326', 'BALANCE=-20.00'],
  ['Вера Метрикова', '79160000339', 'BALANCE=-5.00'],
  ['Глеб Метриков', '79160000347', 'BALANCE=-7.00'],
  ['Дина Метрикова', '79160000351', 'BALANCE=-3.00'],
  ['Егор Метриков', '12-34', 'BALANCE=-1.00'],
];
const BLACKLISTED = '+79160000351';

let world: StackWorld;
let server: MetricsServer;
beforeAll(async () => {
  world = await startWorld();
  server = await startMetricsServer({ host: '127.0.0.1', port: 0 });
});
afterAll(async () => {
  await server?.close();
  await world?.close();
});

async function scrape(): Promise<string> {
  const res = await fetch(`http://127.0.0.1:${server.port}/metrics`);
  expect(res.status).toBe(200);
  return res.text();
}

/** The samples of one metric in the text exposition: labels → value. */
function samples(text: string, name: string): Map<string, number> {
  const found = new Map<string, number>();
  for (const line of text.split('\n')) {
    const m = new RegExp(`^${name}(\\{[^}]*\\})? (\\S+)$`).exec(line);
    if (m) found.set(m[1] ?? '', Number(m[2]));
  }
  return found;
}

describe('metrics after a campaign', () => {
  const campaignId = `t-${randomBytes(3).toString('hex')}`;
  let before: string;
  let after: string;

  beforeAll(async () => {
    const { pool } = world.db;
    before = await scrape();
    await createTestCampaign(pool, {
      id: campaignId, state: 'draft', timeZone: 'Europe/Moscow', template: 'Здравствуйте! Долг {{BALANCE|money}}.',
      maxAttemptsPerNumber: 2, retryIntervalSeconds: 1, ringTimeoutSeconds: 5, maxInFlight: 5,
    });
    const csv = ['"NAME","PHONE_NUMBER","USER_VARS"', ...LIST.map((row) => row.map((f) => `"${f}"`).join(','))].join('\n');
    const report = await importList({ pool, campaignId, fileName: 'metrics.csv', input: Readable.from([Buffer.from(csv)]), createdBy: 'test' });
    expect(report).toMatchObject({ rowsImported: 5, rowsRejected: 1 });
    await pool.query(`INSERT INTO blacklist (e164, reason, source, created_by) VALUES ($1, 'asked not to call', 'manual', 'test')`, [BLACKLISTED]);
    await startCampaign({ pool, temporal: world.client, taskQueue: world.config.TEMPORAL_TASK_QUEUE }, campaignId, 'test', { pollIntervalMs: 200 });
    await world.client.workflow.getHandle(campaignWorkflowId(campaignId)).result();
    after = await scrape();
  });

  it('counts the placed calls by outcome as the attempt rows have them, each with its originate timed', async () => {
    const { rows } = await world.db.pool.query<{ outcome: string; n: string }>(
      `SELECT outcome, count(*) AS n FROM attempt WHERE campaign_id = $1 AND outcome <> 'refused' GROUP BY outcome`, [campaignId]);
    const expected = Object.fromEntries(rows.map((r) => [`{outcome="${r.outcome}"}`, Number(r.n)]));
    expect(expected).toEqual({ '{outcome="answered"}': 1, '{outcome="busy"}': 2, '{outcome="invalid_number"}': 1, '{outcome="no_answer"}': 2 });
    const counted = samples(after, 'dialer_calls_total');
    const was = samples(before, 'dialer_calls_total');
    const delta = Object.fromEntries([...counted].map(([labels, v]) => [labels, v - (was.get(labels) ?? 0)]).filter(([, v]) => v !== 0));
    expect(delta).toEqual(expected);
    const originates = (samples(after, 'dialer_originate_seconds_count').get('') ?? 0) - (samples(before, 'dialer_originate_seconds_count').get('') ?? 0);
    expect(originates).toBe(6);
  });

  it('has no call in flight once the campaign is over', () => {
    expect(samples(after, 'dialer_calls_in_flight')).toEqual(new Map([['', 0]]));
  });

  it('counts the blacklisted number\'s refusal and the imported rows', async () => {
    const { rows: [refused] } = await world.db.pool.query<{ n: string }>(
      `SELECT count(*) AS n FROM attempt WHERE campaign_id = $1 AND outcome = 'refused'`, [campaignId]);
    expect(Number(refused!.n)).toBe(1);
    expect(samples(after, 'dialer_gate_refusals_total').get('{rule="blacklisted"}')).toBeGreaterThanOrEqual(1);
    expect(samples(after, 'dialer_imported_rows_total')).toEqual(new Map([['{result="imported"}', 5], ['{result="rejected"}', 1]]));
  });

  it('carries no number, name or amount of the list, and Node\'s defaults beside the dialer\'s', () => {
    for (const [name, phone, vars] of LIST) {
      expect(after).not.toContain(phone);
      expect(after).not.toContain(name!.split(' ')[1]);
      expect(after).not.toContain(vars!.split('=')[1]);
    }
    expect(after).toMatch(/^nodejs_heap_size_used_bytes \d/m);
    expect(registry.getSingleMetric('dialer_calls_total')).toBeDefined();
  });
});
