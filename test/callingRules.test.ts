import { DateTime } from 'luxon';
import type { NewCampaignInput } from '../domain/campaignSettings';
import type { ContactResult } from '../domain/types';
import { contactWorkflowId } from '../domain/ids';
import { createTestCampaign, insertContact } from './fixtures';
import { startSkippingWorld, type SkippingWorld } from './skippingWorld';

// The legal promises over simulated days and weeks, on Temporal's time-skipping test server,
// real Postgres and the ARI simulator (the number's last digit picks the subscriber: 6 busy,
// 8 answers and hangs up at once, 1 answers).

jest.setTimeout(240_000);

let world: SkippingWorld;
beforeAll(async () => {
  world = await startSkippingWorld();
  await world.startWorker();
});
afterAll(async () => { await world?.close(); });

let n = 0;
function campaign(settings: Partial<NewCampaignInput>, legalPolicy: NewCampaignInput['legalPolicy'] = 'ru_230fz'): Promise<string> {
  return createTestCampaign(world.db.pool, { id: `s${++n}`, timeZone: 'Europe/Moscow', legalPolicy, ...settings });
}

function start(campaignId: string, externalId: string, contactId: number, taskQueue = world.config.TEMPORAL_TASK_QUEUE) {
  return world.env.client.workflow.start<(i: { campaignId: string; contactId: number }) => Promise<ContactResult>>('contactWorkflow', {
    workflowId: contactWorkflowId(campaignId, externalId),
    taskQueue,
    args: [{ campaignId, contactId }],
  });
}

async function run(campaignId: string, externalId: string, contactId: number): Promise<ContactResult> {
  return (await start(campaignId, externalId, contactId)).result();
}

async function attempts(where: string, params: unknown[]): Promise<{ outcome: string; started_at: Date; gate: { refusal?: string } }[]> {
  return (await world.db.pool.query(`SELECT outcome, started_at, gate FROM attempt WHERE ${where} ORDER BY started_at, id`, params)).rows;
}

/** 230-FZ art. 7 part 3: 08:00-22:00 on working days, 09:00-20:00 on weekends (no holidays in these tests). */
function within230Hours(at: Date, zone: string): boolean {
  const t = DateTime.fromJSDate(at, { zone });
  const minutes = t.hour * 60 + t.minute;
  return t.weekday >= 6 ? minutes >= 9 * 60 && minutes < 20 * 60 : minutes >= 8 * 60 && minutes < 22 * 60;
}

it('calls a subscriber in Vladivostok only in Vladivostok hours, over a simulated week', async () => {
  const id = await campaign({ maxAttemptsPerNumber: 12, retryIntervalSeconds: 5 * 3600 });
  const c = await insertContact(world.db.pool, id, 'vl', ['+79241000006'], {}, 'x', { timeZone: 'Asia/Vladivostok' });
  const started = await world.env.currentTimeMs();
  const result = await run(id, 'vl', c);
  expect(result).toMatchObject({ state: 'failed', outcome: 'busy', attempts: 12 });

  const calls = await attempts('contact_id = $1', [c]);
  expect(calls).toHaveLength(12);
  for (const a of calls) {
    expect({ at: a.started_at.toISOString(), ok: within230Hours(a.started_at, 'Asia/Vladivostok') }).toEqual({ at: a.started_at.toISOString(), ok: true });
  }
  // Every 5 hours, but never at night there: the twelve calls spread over several local days,
  // and some of them were in Moscow's night.
  const days = new Set(calls.map((a) => DateTime.fromJSDate(a.started_at, { zone: 'Asia/Vladivostok' }).toISODate()));
  expect(days.size).toBeGreaterThanOrEqual(3);
  expect(calls.some((a) => !within230Hours(a.started_at, 'Europe/Moscow'))).toBe(true);
  expect(calls[calls.length - 1].started_at.getTime() - started).toBeGreaterThan(2 * 86_400_000);
});

it('stops the second call of a day and the third of a week for one debtor in two campaigns', async () => {
  // One debtor with three contracts in each of two campaigns: six contacts, each answers at
  // once, so only the caps spread the six calls out.
  const a = await campaign({ maxAttemptsPerNumber: 1 });
  const b = await campaign({ maxAttemptsPerNumber: 1 });
  const contacts: { campaignId: string; externalId: string; id: number }[] = [];
  for (const [k, campaignId] of [a, b].entries()) {
    for (let i = 1; i <= 3; i++) {
      const externalId = `contract-${i}`;
      const id = await insertContact(world.db.pool, campaignId, externalId, [`+7916120${k}0${i}01`], {}, 'x', { personId: 'debtor-42' });
      contacts.push({ campaignId, externalId, id });
    }
  }
  // All run at once; their results are awaited one after the other, because the test server's
  // time-skipping lock breaks when two clients wait on results concurrently.
  const handles = [];
  for (const c of contacts) handles.push(await start(c.campaignId, c.externalId, c.id));
  for (const h of handles) expect(await h.result()).toMatchObject({ state: 'done', outcome: 'answered', attempts: 1 });

  const ids = contacts.map((c) => c.id);
  const calls = await attempts(`contact_id = ANY ($1) AND outcome <> 'refused'`, [ids]);
  expect(calls).toHaveLength(6);
  const zone = 'Europe/Moscow';
  const perDay = new Map<string, number>();
  const perWeek = new Map<string, number>();
  for (const call of calls) {
    const t = DateTime.fromJSDate(call.started_at, { zone });
    const day = t.toISODate() as string;
    const week = `${t.weekYear}-W${t.weekNumber}`;
    perDay.set(day, (perDay.get(day) ?? 0) + 1);
    perWeek.set(week, (perWeek.get(week) ?? 0) + 1);
  }
  expect(Math.max(...perDay.values())).toBe(1);
  expect(Math.max(...perWeek.values())).toBe(2);
  expect(perWeek.size).toBeGreaterThanOrEqual(3);
  // Calls of both campaigns counted together.
  const campaignsCalled = new Set((await world.db.pool.query(
    `SELECT DISTINCT campaign_id FROM attempt WHERE contact_id = ANY ($1) AND outcome <> 'refused'`, [ids])).rows.map((r) => r.campaign_id));
  expect(campaignsCalled).toEqual(new Set([a, b]));
  const refusals = await attempts(`contact_id = ANY ($1) AND outcome = 'refused'`, [ids]);
  expect(refusals.length).toBeGreaterThan(0);
  expect(new Set(refusals.map((r) => r.gate.refusal))).toEqual(new Set(['cap_reached']));
});

it('never originates a number blacklisted while its workflow sleeps', async () => {
  const id = await campaign({ maxAttemptsPerNumber: 5, retryIntervalSeconds: 6 * 3600 }, 'none');
  const c = await insertContact(world.db.pool, id, 'bl', ['+79161400006', '+79161400016']);
  const handle = await start(id, 'bl', c);
  // Wait (in real time, so the test server does not skip) for the first busy call, then
  // blacklist the number while the workflow sleeps six hours before its retry.
  for (let i = 0; i < 200 && (await attempts('contact_id = $1', [c])).length === 0; i++) await new Promise((r) => setTimeout(r, 50));
  await world.db.pool.query(
    `INSERT INTO blacklist (kind, e164, reason, source, created_by) VALUES ('exact', '+79161400006', 'debtor asked', 'api', 'erp')`);
  const before = world.sim.stats().originates;
  const result = await handle.result();
  const rows = await attempts('contact_id = $1', [c]);
  expect(rows.map((r) => [r.outcome, r.gate.refusal ?? null])).toEqual([
    ['busy', null], ['refused', 'blacklisted'],
    ['busy', null], ['busy', null], ['busy', null], ['busy', null], ['busy', null],
  ]);
  expect(result).toMatchObject({ state: 'failed', attempts: 6 });
  // Only the second number was dialled after the blacklisting.
  expect(world.sim.stats().originates - before).toBe(5);
});

it('blacklists a number unreachable as many times in a row as the campaign allows', async () => {
  const id = await campaign({ maxAttemptsPerNumber: 5, retryIntervalSeconds: 3 * 3600, blacklistAfterUnreachable: 2 }, 'none');
  const c = await insertContact(world.db.pool, id, 'unreach', ['+79161600007']);
  const result = await run(id, 'unreach', c);
  const rows = await attempts('contact_id = $1', [c]);
  expect(rows.map((r) => [r.outcome, r.gate.refusal ?? null])).toEqual([['no_answer', null], ['no_answer', null], ['refused', 'blacklisted']]);
  expect(result).toMatchObject({ state: 'blacklisted', attempts: 2 });
  const { rows: bl } = await world.db.pool.query(
    `SELECT b.reason, a.outcome FROM blacklist b JOIN attempt a ON a.id = b.attempt_id WHERE b.e164 = '+79161600007'`);
  expect(bl).toEqual([{ reason: 'unreachable 2 times in a row', outcome: 'no_answer' }]);
});
