import { ensurePersonalDataRetentionSchedule } from '../adapters/temporal/schedules';
import { createTestCampaign, insertContact } from './fixtures';
import { startWorld, type StackWorld } from './stackWorker';

// The personal data retention schedule (docs/personalData.md) on the stack's Temporal server and
// a real worker: made idempotently, and a run deletes the personal data of contacts whose
// campaign finished longer ago than its personalDataRetentionDays, and nobody else's.

jest.setTimeout(120_000);

let world: StackWorld;
beforeAll(async () => { world = await startWorld(); });
afterAll(async () => { await world?.close(); });

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

test('a run deletes what outlived its campaign\'s retention, and nothing else', async () => {
  const { pool } = world.db;
  const expired = await createTestCampaign(pool, { personalDataRetentionDays: 30 });
  const recent = await createTestCampaign(pool, { personalDataRetentionDays: 30 });
  const forever = await createTestCampaign(pool, {});
  const yearOld = await createTestCampaign(pool, {});
  const ids = {
    expired: await insertContact(pool, expired, 'old', ['+79163750461'], { BALANCE: '-10.00' }, 'Старый Абонент'),
    recent: await insertContact(pool, recent, 'new', ['+79163750471'], { BALANCE: '-20.00' }, 'Новый Абонент'),
    forever: await insertContact(pool, forever, 'kept', ['+79163750481'], { BALANCE: '-30.00' }, 'Вечный Абонент'),
    yearOld: await insertContact(pool, yearOld, 'aged', ['+79163750491'], { BALANCE: '-40.00' }, 'Давний Абонент'),
  };
  await pool.query(`UPDATE contact SET state = 'done' WHERE id = ANY($1::bigint[])`, [Object.values(ids)]);
  await pool.query(`UPDATE campaign SET state = 'completed', finished_at = now() - interval '31 days' WHERE id = ANY($1::text[])`, [[expired, forever]]);
  await pool.query(`UPDATE campaign SET state = 'completed', finished_at = now() - interval '29 days' WHERE id = $1`, [recent]);
  // No days of its own: its purpose's profile keeps records 365 days (service).
  await pool.query(`UPDATE campaign SET state = 'completed', finished_at = now() - interval '366 days' WHERE id = $1`, [yearOld]);

  const scheduleId = `personal-data-retention-test-${expired}`;
  const options = { taskQueue: world.config.TEMPORAL_TASK_QUEUE, scheduleId, every: '1 day' as const };
  expect(await ensurePersonalDataRetentionSchedule(world.client, options)).toBe('created');
  expect(await ensurePersonalDataRetentionSchedule(world.client, options)).toBe('updated');
  const schedule = world.client.schedule.getHandle(scheduleId);
  try {
    await schedule.trigger();
    let erased: string | null = null;
    for (let i = 0; i < 120 && !erased; i++) {
      erased = (await pool.query<{ at: string | null }>('SELECT personal_data_deleted_at AS at FROM contact WHERE id = $1', [ids.expired])).rows[0].at;
      if (!erased) await sleep(250);
    }
    expect(erased).not.toBeNull();
    const { rows } = await pool.query<{ id: string; full_name: string | null; phones: number }>(
      `SELECT c.id, c.full_name, (SELECT count(*)::int FROM contact_phone p WHERE p.contact_id = c.id) AS phones
         FROM contact c WHERE c.id = ANY($1::bigint[]) ORDER BY c.id`, [Object.values(ids)]);
    expect(rows.map((r) => [Number(r.id), r.full_name, r.phones])).toEqual([
      [ids.expired, null, 0], [ids.recent, 'Новый Абонент', 1], [ids.forever, 'Вечный Абонент', 1], [ids.yearOld, null, 0],
    ]);
    const audit = await pool.query<{ actor: string }>(`SELECT actor FROM audit_log WHERE action = 'personal_data.deleted'`);
    expect(audit.rows.map((r) => r.actor)).toEqual(['system:personal-data-retention']);
  } finally {
    await schedule.delete();
  }
});
