import type { Pool } from 'pg';
import { updateCampaign } from '../adapters/postgres/campaigns';
import type { Queryable } from '../adapters/postgres/transaction';
import { gate } from '../activities/gate';
import { gateRulesFor, hoursAllowedAt } from '../activities/gateRules';
import { isAllowedAt } from '../domain/callingSchedule';
import { insertContact } from './fixtures';
import { at, campaignMaker, question } from './gateQuestions';
import { createTestDatabase, type TestDatabase } from './testDatabase';

// The gate on real Postgres: caps per person across campaigns, counted atomically against
// concurrent workers, the blacklist's kinds and groups, the last check of the hours, and the
// worker's kept copy of the campaign's rules, which never answers for rules since changed.

let db: TestDatabase;
const campaign = campaignMaker(() => db.pool, 'g');

beforeAll(async () => { db = await createTestDatabase(); });
afterAll(async () => { await db?.drop(); });

describe('caps per person across campaigns (230-FZ: 1 a day, 2 a week, 8 a month)', () => {
  it('gives the last slot to exactly one of many racing workers', async () => {
    const id = await campaign();
    const contacts = await Promise.all(
      Array.from({ length: 4 }, (_, i) => insertContact(db.pool, id, `race-${i}`, [`+7916100000${i}`], {}, 'x', { personId: 'debtor-race' })));
    const now = at('2026-11-24T12:00');
    const decisions = await Promise.all(Array.from({ length: 24 }, (_, i) =>
      gate(db.pool, question(id, contacts[i % 4], `+7916100000${i % 4}`, now, `race-ch-${i}`))));
    expect(decisions.filter((d) => d.allowed)).toHaveLength(1);
    const { rows } = await db.pool.query(`SELECT count(*)::int AS n FROM call_reservation WHERE person_key = 'debtor-race'`);
    expect(rows[0].n).toBe(1);
  });

  it('stops the second call of a day and the third of a week for a debtor in two campaigns', async () => {
    const a = await campaign();
    const b = await campaign();
    const inA = await insertContact(db.pool, a, 'd1', ['+79161000010'], {}, 'x', { personId: 'debtor-1' });
    const inB = await insertContact(db.pool, b, 'd1', ['+79161000011'], {}, 'x', { personId: 'debtor-1' });

    // Monday: campaign A calls; campaign B is refused until Tuesday 00:00 local.
    expect((await gate(db.pool, question(a, inA, '+79161000010', at('2026-11-23T10:00'), 'w1'))).allowed).toBe(true);
    const second = await gate(db.pool, question(b, inB, '+79161000011', at('2026-11-23T15:00'), 'w2'));
    expect(second).toMatchObject({ allowed: false, refusal: 'cap_reached', retryAt: new Date(at('2026-11-24T00:00')).toISOString() });
    expect(second.checks).toContainEqual({ rule: 'cap_person_day', passed: false, detail: '1 of 1 (calendar)' });
    // Tuesday: B calls. Wednesday: the week's two are used; next Monday frees a slot.
    expect((await gate(db.pool, question(b, inB, '+79161000011', at('2026-11-24T10:00'), 'w3'))).allowed).toBe(true);
    const third = await gate(db.pool, question(a, inA, '+79161000010', at('2026-11-25T10:00'), 'w4'));
    expect(third).toMatchObject({ allowed: false, refusal: 'cap_reached', retryAt: new Date(at('2026-11-30T00:00')).toISOString() });
    expect(third.checks).toContainEqual({ rule: 'cap_person_week', passed: false, detail: '2 of 2 (calendar)' });
    // Next Monday it may call again.
    expect((await gate(db.pool, question(a, inA, '+79161000010', at('2026-11-30T10:00'), 'w5'))).allowed).toBe(true);
  });

  it('gives an unanswered call its slot back when the policy does not count unanswered calls', async () => {
    const id = await campaign();
    const c = await insertContact(db.pool, id, 'u1', ['+79161000020'], {}, 'x', { personId: 'debtor-u' });
    expect((await gate(db.pool, question(id, c, '+79161000020', at('2026-11-24T10:00'), 'u-1'))).allowed).toBe(true);
    // While the call is in progress its reservation counts: no second call at the same time.
    expect((await gate(db.pool, question(id, c, '+79161000020', at('2026-11-24T10:00:30'), 'u-2'))).allowed).toBe(false);
    await db.pool.query(`UPDATE call_reservation SET state = 'released' WHERE channel_id = 'u-1'`); // as record does for busy
    expect((await gate(db.pool, question(id, c, '+79161000020', at('2026-11-24T10:10'), 'u-3'))).allowed).toBe(true);
  });

  it('counts a rolling day when the campaign chooses rolling periods', async () => {
    const id = await campaign();
    await updateCampaign(db.pool, id, { policyOptions: { period: 'rolling' } }, 'test');
    const c = await insertContact(db.pool, id, 'r1', ['+79161000030'], {}, 'x', { personId: 'debtor-r' });
    expect((await gate(db.pool, question(id, c, '+79161000030', at('2026-11-24T21:00'), 'r-1'))).allowed).toBe(true);
    // Past midnight, but within 24 hours: refused until 21:00 the next day.
    const refused = await gate(db.pool, question(id, c, '+79161000030', at('2026-11-25T09:00'), 'r-2'));
    expect(refused).toMatchObject({ allowed: false, refusal: 'cap_reached', retryAt: new Date(at('2026-11-25T21:00')).toISOString() });
  });

  it('applies the campaign’s own per-number cap on top of the policy', async () => {
    const id = await campaign();
    await updateCampaign(db.pool, id, { legalPolicy: 'none', caps: { number: { day: 2 } } }, 'test');
    const c = await insertContact(db.pool, id, 'n1', ['+79161000040']);
    const now = at('2026-11-24T10:00');
    expect((await gate(db.pool, question(id, c, '+79161000040', now, 'n-1'))).allowed).toBe(true);
    expect((await gate(db.pool, question(id, c, '+79161000040', now, 'n-2'))).allowed).toBe(true);
    expect(await gate(db.pool, question(id, c, '+79161000040', now, 'n-3'))).toMatchObject({ allowed: false, refusal: 'cap_reached' });
  });
});

describe('the last check of the calling hours', () => {
  it('refuses outside the 230-FZ hours with the next allowed moment', async () => {
    const id = await campaign();
    const c = await insertContact(db.pool, id, 'h1', ['+79161000050']);
    const refused = await gate(db.pool, question(id, c, '+79161000050', at('2026-11-28T20:30'), 'h-1')); // Saturday
    expect(refused).toMatchObject({ allowed: false, refusal: 'outside_window', retryAt: new Date(at('2026-11-29T09:00')).toISOString() });
    const { rows } = await db.pool.query(`SELECT count(*)::int AS n FROM call_reservation WHERE channel_id = 'h-1'`);
    expect(rows[0].n).toBe(0);
  });
});

describe('the blacklist', () => {
  let id: string;
  let c: number;
  beforeAll(async () => {
    id = await campaign();
    c = await insertContact(db.pool, id, 'b1', ['+79161000060']);
    await db.pool.query(
      `INSERT INTO blacklist (kind, e164, prefix, range_from, range_to, reason, source, created_by, group_name, expires_at) VALUES
         ('exact', '+79161000061', NULL, NULL, NULL, 'asked not to call', 'manual', 'op', 'default', NULL),
         ('prefix', NULL, '+7916200', NULL, NULL, 'test range', 'import', 'op', 'default', NULL),
         ('range', NULL, NULL, 79163000000, 79163000999, 'staff numbers', 'api', 'erp', 'staff', NULL),
         ('exact', '+79161000062', NULL, NULL, NULL, 'until yesterday', 'manual', 'op', 'default', '2026-11-23T00:00:00Z')`);
  });
  const check = (e164: string, channel?: string) => gate(db.pool, question(id, c, e164, at('2026-11-24T12:00'), channel));

  it.each([
    ['+79161000061', false], ['+79162000123', false], ['+79163000500', false],
    ['+79161000062', true], ['+79163001000', true], ['+79161000063', true],
  ])('%s allowed: %s', async (e164, allowed) => {
    expect((await check(e164)).allowed).toBe(allowed);
  });

  it('names the entry that refused', async () => {
    const d = await check('+79163000500');
    expect(d).toMatchObject({ allowed: false, refusal: 'blacklisted' });
    expect(d.checks.find((x) => x.rule === 'not_blacklisted')?.detail).toMatch(/range, group staff\): staff numbers/);
  });

  it('ignores the groups the campaign ignores', async () => {
    await updateCampaign(db.pool, id, { ignoredBlacklistGroups: ['staff'] }, 'test');
    expect((await check('+79163000500')).allowed).toBe(true);
    expect((await check('+79161000061')).allowed).toBe(false);
  });
});

describe('one round trip, on rules that are still the campaign’s', () => {
  /** The pool, counting the statements sent through it. */
  function counting(pool: Pool): { db: Queryable; sent: () => number } {
    let n = 0;
    const query = (...args: unknown[]): unknown => { n++; return (pool.query as (...a: unknown[]) => unknown).apply(pool, args); };
    return { db: { query } as unknown as Pool, sent: () => n };
  }

  it('checks and reserves in one statement once the rules are kept', async () => {
    const id = await campaign();
    const c = await insertContact(db.pool, id, 'rt1', ['+79161000070']);
    const { db: counted, sent } = counting(db.pool);
    expect((await gate(counted, question(id, c, '+79161000070', at('2026-11-24T10:00'), 'rt-1'))).allowed).toBe(true);
    const first = sent();
    expect(first).toBe(2); // the rules, read once for this local day, then the check
    const refused = await gate(counted, question(id, c, '+79161000070', at('2026-11-24T11:00'), 'rt-2'));
    expect(refused).toMatchObject({ allowed: false, refusal: 'cap_reached' });
    expect(sent() - first).toBe(2); // the check, then the contact's new wait
    expect(await gate(counted, question(id, c, '+79161000070', at('2026-11-24T11:30'), 'rt-3'))).toMatchObject({ allowed: false });
    expect(sent() - first).toBe(3); // the same wait is not written again
  });

  it('sees an edit of the hours and a new holiday made after the rules were kept', async () => {
    const id = await campaign({ calendarCountry: 'ZZ', weeklyHours: { 2: ['10:00', '18:00'] } });
    const c = await insertContact(db.pool, id, 'rt2', ['+79161000071']);
    const noon = at('2026-11-24T12:00'); // a Tuesday
    expect((await gate(db.pool, question(id, c, '+79161000071', noon))).allowed).toBe(true);
    await updateCampaign(db.pool, id, { weeklyHours: { 2: ['13:00', '18:00'] } }, 'test');
    expect(await gate(db.pool, question(id, c, '+79161000071', noon + 1000))).toMatchObject({
      allowed: false, refusal: 'outside_window', retryAt: new Date(at('2026-11-24T13:00')).toISOString(),
    });
    expect((await gate(db.pool, question(id, c, '+79161000071', noon + 3600_000))).allowed).toBe(true);
    await db.pool.query(`INSERT INTO calendar_day (country, day, kind) VALUES ('ZZ', '2026-11-24', 'holiday')`);
    // On a public holiday the 230-FZ hours end at 20:00: 20:30 is refused while the day is one.
    await updateCampaign(db.pool, id, { weeklyHours: { 2: ['13:00', '21:00'] } }, 'test');
    const evening = at('2026-11-24T20:30');
    expect(await gate(db.pool, question(id, c, '+79161000071', evening))).toMatchObject({ allowed: false, refusal: 'outside_window' });
    await db.pool.query(`DELETE FROM calendar_day WHERE country = 'ZZ'`);
    expect((await gate(db.pool, question(id, c, '+79161000071', evening + 1000))).allowed).toBe(true);
    await db.pool.query(`INSERT INTO calendar_day (country, day, kind) VALUES ('ZZ', '2026-11-24', 'holiday')`);
    expect(await gate(db.pool, question(id, c, '+79161000071', evening + 2000))).toMatchObject({ allowed: false, refusal: 'outside_window' });
  });

  it('answers on the kept hours as isAllowedAt does, across midnights and a change of the clocks', async () => {
    const id = await campaign({ weeklyHours: { 7: ['01:30', '23:30'] } });
    const zones = ['Europe/Berlin', 'Europe/London', 'Asia/Vladivostok'];
    // Sunday 25 October 2026: Berlin and London go back an hour.
    for (let t = Date.parse('2026-10-23T00:00:00Z'); t < Date.parse('2026-10-27T00:00:00Z'); t += 17 * 60_000 + 13_000) {
      for (const z of [zones, zones.slice(0, 1), zones.slice(1)]) {
        const kept = await gateRulesFor(db.pool, id, z, t);
        expect({ t: new Date(t).toISOString(), z, allowed: hoursAllowedAt(kept, t) })
          .toEqual({ t: new Date(t).toISOString(), z, allowed: isAllowedAt(kept.rules.schedule, z, t) });
      }
    }
  });

  it('holds the locks until the caller’s transaction ends when asked inside one', async () => {
    const id = await campaign();
    const [a, b] = await Promise.all([
      insertContact(db.pool, id, 'tx-a', ['+79161000072'], {}, 'x', { personId: 'debtor-tx' }),
      insertContact(db.pool, id, 'tx-b', ['+79161000073'], {}, 'x', { personId: 'debtor-tx' }),
    ]);
    const now = at('2026-11-24T12:00');
    const client = await db.pool.connect();
    try {
      await client.query('BEGIN');
      expect((await gate(client, question(id, a, '+79161000072', now, 'tx-1'))).allowed).toBe(true);
      let settled = false;
      const other = gate(db.pool, question(id, b, '+79161000073', now, 'tx-2')).finally(() => { settled = true; });
      await new Promise((r) => setTimeout(r, 300));
      expect(settled).toBe(false); // waiting for the person's lock
      await client.query('COMMIT');
      expect(await other).toMatchObject({ allowed: false, refusal: 'cap_reached' });
    } finally {
      client.release();
    }
  });
});
