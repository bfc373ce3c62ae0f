import { DateTime } from 'luxon';
import { gate, type GateQuestion } from '../activities/gate';
import { addMassCallRefusals, removeMassCallRefusal } from '../adapters/postgres/massCallRefusals';
import type { NewCampaignInput } from '../domain/campaignSettings';
import { createTestCampaign, insertContact } from './fixtures';
import { createTestDatabase, type TestDatabase } from './testDatabase';

// The gate's compliance rules on real Postgres: the refusal list of mass calls, and the proof
// each attempt row keeps of them (passed or not).

let db: TestDatabase;
const msk = 'Europe/Moscow';
const at = (iso: string): number => DateTime.fromISO(iso, { zone: msk }).toMillis();
let n = 0;

beforeAll(async () => { db = await createTestDatabase(); });
afterAll(async () => { await db?.drop(); });

function campaign(extra: Partial<NewCampaignInput> = {}): Promise<string> {
  return createTestCampaign(db.pool, { id: `cg${++n}`, legalPolicy: 'ru_230fz', ...extra });
}

function question(campaignId: string, contactId: number, e164: string, nowMs: number, channelId?: string): GateQuestion {
  return { campaignId, contactId, e164, zones: [msk], nowMs, checkWindow: true, ...(channelId ? { reserve: { channelId } } : {}) };
}

const reservations = async (contactId: number): Promise<number> =>
  (await db.pool.query<{ n: number }>('SELECT count(*)::int AS n FROM call_reservation WHERE contact_id = $1', [contactId])).rows[0].n;

describe('the refusal list of mass calls', () => {
  it('refuses a number on it, reserves nothing, and names the entry in the proof; the next number passes', async () => {
    const id = await campaign();
    const contact = await insertContact(db.pool, id, 'r1', ['+79162000001', '+79162000002']);
    await addMassCallRefusals(db.pool, [{ e164: '+79162000001', refusedAt: '2026-09-02T09:00:00.000Z', operator: 'МТС' }], 'api', 'test');
    const refused = await gate(db.pool, question(id, contact, '+79162000001', at('2026-11-24T12:00'), 'mc-1'));
    expect(refused).toMatchObject({ allowed: false, refusal: 'mass_call_refused' });
    expect(refused).not.toHaveProperty('retryAt');
    const check = refused.checks.find((c) => c.rule === 'not_mass_call_refused');
    expect(check).toMatchObject({ passed: false });
    expect(check!.detail).toMatch(/^refusal \d+ via МТС since 2026-09-02T09:00:00.000Z$/);
    expect(await reservations(contact)).toBe(0);

    const other = await gate(db.pool, question(id, contact, '+79162000002', at('2026-11-24T12:00'), 'mc-2'));
    expect(other.allowed).toBe(true);
    expect(other.checks).toContainEqual({ rule: 'not_mass_call_refused', passed: true });
    expect(await reservations(contact)).toBe(1);
  });

  it('lets the number be called again once its entry is removed (the refusal was withdrawn)', async () => {
    const id = await campaign();
    const contact = await insertContact(db.pool, id, 'r2', ['+79162000003']);
    await addMassCallRefusals(db.pool, [{ e164: '+79162000003', refusedAt: null, operator: null }], 'import', 'test');
    const q = question(id, contact, '+79162000003', at('2026-11-24T12:00'));
    expect(await gate(db.pool, q)).toMatchObject({ allowed: false, refusal: 'mass_call_refused' });
    const { rows } = await db.pool.query<{ id: string }>(`SELECT id FROM mass_call_refusal WHERE e164 = '+79162000003'`);
    expect(await removeMassCallRefusal(db.pool, Number(rows[0].id), { actor: 'test', from: null })).toBe(true);
    expect((await gate(db.pool, q)).allowed).toBe(true);
    const audit = await db.pool.query(`SELECT details FROM audit_log WHERE action = 'mass_call_refusal.removed' AND entity_id = $1`, [rows[0].id]);
    expect(audit.rows).toEqual([{ details: { source: 'import', operator: null } }]);
  });

  it('a number given twice is added once, and the first report stands', async () => {
    const first = await addMassCallRefusals(db.pool, [
      { e164: '+79162000004', refusedAt: null, operator: 'Билайн' },
      { e164: '+79162000004', refusedAt: null, operator: 'МегаФон' },
    ], 'api', 'test');
    expect(first.added).toBe(1);
    expect((await addMassCallRefusals(db.pool, [{ e164: '+79162000004', refusedAt: null, operator: 'Т2' }], 'api', 'test')).added).toBe(0);
    const { rows } = await db.pool.query(`SELECT operator FROM mass_call_refusal WHERE e164 = '+79162000004'`);
    expect(rows).toEqual([{ operator: 'Билайн' }]);
  });
});
