import { gate } from '../activities/gate';
import { addMassCallRefusals, removeMassCallRefusal } from '../adapters/postgres/massCallRefusals';
import { insertContact } from './fixtures';
import { at, campaignMaker, question } from './gateQuestions';
import { createTestDatabase, type TestDatabase } from './testDatabase';

// The gate's compliance rules on real Postgres: the refusal list of mass calls, and the proof
// each attempt row keeps of them (passed or not).

let db: TestDatabase;
const campaign = campaignMaker(() => db.pool, 'cg');

beforeAll(async () => { db = await createTestDatabase(); });
afterAll(async () => { await db?.drop(); });

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

describe('third parties and consent', () => {
  async function thirdParty(campaignId: string, externalId: string, phone: string, personId: string | null = null): Promise<number> {
    const { rows } = await db.pool.query<{ id: string }>(
      `INSERT INTO contact (campaign_id, external_id, person_id, role, debtor_external_id) VALUES ($1, $2, $3, 'third_party', 'debtor-ext') RETURNING id`,
      [campaignId, externalId, personId]);
    await db.pool.query('INSERT INTO contact_phone (contact_id, position, e164, raw) VALUES ($1, 1, $2, $2)', [rows[0].id, phone]);
    return Number(rows[0].id);
  }
  const consent = (contactId: number, e164: string, c: { givenAt: string; expiresAt?: string; withdrawnAt?: string }) => db.pool.query(
    `INSERT INTO contact_consent (contact_id, e164, source, given_at, expires_at, withdrawn_at, channel, created_by)
     VALUES ($1, $2, 'form 7', $3, $4, $5, 'written', 'test') RETURNING id`,
    [contactId, e164, c.givenAt, c.expiresAt ?? null, c.withdrawnAt ?? null]);

  it('refuses a third party with no consent for the number (no retry, nothing reserved); the debtor needs none', async () => {
    const id = await campaign();
    const debtor = await insertContact(db.pool, id, 'debtor-ext', ['+79163000001'], {}, 'x', { personId: 'p-debtor' });
    const third = await thirdParty(id, 'tp-1', '+79163000002');
    const refused = await gate(db.pool, question(id, third, '+79163000002', at('2026-11-24T12:00'), 'tp-ch-1'));
    expect(refused).toMatchObject({ allowed: false, refusal: 'no_consent' });
    expect(refused).not.toHaveProperty('retryAt');
    expect(refused.checks).toContainEqual({ rule: 'consent', passed: false, detail: 'third party: no consent for this number holds now' });
    expect(await reservations(third)).toBe(0);
    const allowed = await gate(db.pool, question(id, debtor, '+79163000001', at('2026-11-24T12:00'), 'tp-ch-2'));
    expect(allowed.allowed).toBe(true);
    expect(allowed.checks).toContainEqual({ rule: 'consent', passed: true, detail: 'debtor: not required' });
  });

  it('calls a third party while a consent for that number holds: not before it is given, not after it expires or is withdrawn', async () => {
    const id = await campaign();
    const third = await thirdParty(id, 'tp-2', '+79163000003');
    const { rows } = await consent(third, '+79163000003', { givenAt: '2026-11-20T10:00:00+03:00', expiresAt: '2026-11-30T00:00:00+03:00' });
    await consent(third, '+79163000099', { givenAt: '2026-11-01T10:00:00+03:00' }); // another number's: does not count
    const q = (iso: string) => question(id, third, '+79163000003', at(iso));
    expect(await gate(db.pool, q('2026-11-19T12:00'))).toMatchObject({ allowed: false, refusal: 'no_consent' });
    const ok = await gate(db.pool, q('2026-11-24T12:00'));
    expect(ok.allowed).toBe(true);
    expect(ok.checks).toContainEqual({
      rule: 'consent', passed: true,
      detail: `third party: consent ${rows[0].id} (written) given 2026-11-20T07:00:00.000Z, until 2026-11-29T21:00:00.000Z`,
    });
    expect(await gate(db.pool, q('2026-11-30T12:00'))).toMatchObject({ allowed: false, refusal: 'no_consent' });
    await db.pool.query(`UPDATE contact_consent SET withdrawn_at = '2026-11-25T00:00:00+03:00' WHERE id = $1`, [rows[0].id]);
    expect(await gate(db.pool, q('2026-11-24T12:00'))).toMatchObject({ allowed: true });
    expect(await gate(db.pool, q('2026-11-26T12:00'))).toMatchObject({ allowed: false, refusal: 'no_consent' });
  });

  it('counts caps for a third party as its own person: the debtor\'s call of the day leaves the third party\'s', async () => {
    const id = await campaign();
    const debtor = await insertContact(db.pool, id, 'debtor-ext', ['+79163000004'], {}, 'x', { personId: 'p-debtor-caps' });
    const third = await thirdParty(id, 'tp-3', '+79163000005');
    await consent(third, '+79163000005', { givenAt: '2026-11-01T00:00:00+03:00' });
    expect((await gate(db.pool, question(id, debtor, '+79163000004', at('2026-11-24T10:00'), 'cap-d1'))).allowed).toBe(true);
    expect(await gate(db.pool, question(id, debtor, '+79163000004', at('2026-11-24T11:00'), 'cap-d2'))).toMatchObject({ refusal: 'cap_reached' });
    const t = await gate(db.pool, question(id, third, '+79163000005', at('2026-11-24T11:00'), 'cap-t1'));
    expect(t.allowed).toBe(true);
    expect(t.checks).toContainEqual({ rule: 'cap_person_day', passed: true, detail: '0 of 1 (calendar)' });
  });

  it('refuses on the refusal list first, and the proof still shows the consent check', async () => {
    const id = await campaign();
    const third = await thirdParty(id, 'tp-4', '+79163000006');
    await addMassCallRefusals(db.pool, [{ e164: '+79163000006', refusedAt: null, operator: null }], 'api', 'test');
    const d = await gate(db.pool, question(id, third, '+79163000006', at('2026-11-24T12:00')));
    expect(d).toMatchObject({ allowed: false, refusal: 'mass_call_refused' });
    expect(d.checks.map((c) => [c.rule, c.passed])).toEqual(expect.arrayContaining([['not_mass_call_refused', false], ['consent', false]]));
  });
});

describe('the purpose\'s rule profile', () => {
  it('advertising needs consent from everyone, the debtor too; the proof names the profile', async () => {
    const id = await campaign({ purpose: 'advertising', legalPolicy: 'none' });
    const contact = await insertContact(db.pool, id, 'ad-1', ['+79164000001']);
    const refused = await gate(db.pool, question(id, contact, '+79164000001', at('2026-11-24T12:00')));
    expect(refused).toMatchObject({ allowed: false, refusal: 'no_consent' });
    expect(refused.checks).toContainEqual({
      rule: 'rule_profile', passed: true,
      detail: 'advertising: policy none (applied: none, conversation), consent everyone, refusal list applies',
    });
    expect(refused.checks).toContainEqual({ rule: 'consent', passed: false, detail: 'debtor: no consent for this number holds now' });
    await db.pool.query(`INSERT INTO contact_consent (contact_id, e164, source, given_at, created_by) VALUES ($1, '+79164000001', 'web form', '2026-11-01T00:00:00Z', 'test')`, [contact]);
    expect((await gate(db.pool, question(id, contact, '+79164000001', at('2026-11-24T12:00')))).allowed).toBe(true);
  });

  it('emergency calls need no consent and are not stopped by the refusal list; the proof says the list was not applied', async () => {
    const id = await campaign({ purpose: 'emergency', legalPolicy: 'none' });
    const { rows } = await db.pool.query<{ id: string }>(
      `INSERT INTO contact (campaign_id, external_id, role, debtor_external_id) VALUES ($1, 'em-1', 'third_party', 'x') RETURNING id`, [id]);
    const contact = Number(rows[0].id);
    await db.pool.query(`INSERT INTO contact_phone (contact_id, position, e164, raw) VALUES ($1, 1, '+79164000002', 'x')`, [contact]);
    await addMassCallRefusals(db.pool, [{ e164: '+79164000002', refusedAt: null, operator: null }], 'api', 'test');
    const d = await gate(db.pool, question(id, contact, '+79164000002', at('2026-11-24T12:00')));
    expect(d.allowed).toBe(true);
    expect(d.checks).toContainEqual({ rule: 'not_mass_call_refused', passed: true, detail: expect.stringMatching(/^refusal \d+, not applied to emergency calls$/) });
    expect(d.checks).toContainEqual({ rule: 'consent', passed: true, detail: 'third party: not required' });
  });

  it('debt collection applies 230-FZ even when the campaign says none, and an edited profile reaches the kept rules at once', async () => {
    const id = await campaign({ purpose: 'debt_collection', legalPolicy: 'none' });
    const contact = await insertContact(db.pool, id, 'dc-1', ['+79164000003'], {}, 'x', { personId: 'p-dc-1' });
    // 23:00 on a working day: outside 230-FZ's 08:00-22:00, inside the campaign's own all-day window.
    const late = await gate(db.pool, question(id, contact, '+79164000003', at('2026-11-24T23:00')));
    expect(late).toMatchObject({ allowed: false, refusal: 'outside_window' });
    expect(late.checks).toContainEqual({ rule: 'calling_hours', passed: false, detail: 'ru_230fz policy, zones Europe/Moscow' });
    expect((await gate(db.pool, question(id, contact, '+79164000003', at('2026-11-24T12:00'), 'dc-ch-1'))).allowed).toBe(true);
    expect(await gate(db.pool, question(id, contact, '+79164000003', at('2026-11-24T13:00')))).toMatchObject({ refusal: 'cap_reached' });

    // The profile now reads a robot call as a message: two a day. The kept rules are stale and read again.
    await db.pool.query(`UPDATE rule_profile SET synthesized_prompt_is_conversation = false WHERE purpose = 'debt_collection'`);
    try {
      const second = await gate(db.pool, question(id, contact, '+79164000003', at('2026-11-24T13:00')));
      expect(second.allowed).toBe(true);
      expect(second.checks).toContainEqual(expect.objectContaining({ rule: 'rule_profile', detail: expect.stringContaining('applied: ru_230fz, message') }));
    } finally {
      await db.pool.query(`UPDATE rule_profile SET synthesized_prompt_is_conversation = true WHERE purpose = 'debt_collection'`);
    }
  });
});
