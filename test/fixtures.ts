import type { Pool } from 'pg';

/** Inserts a contact with its numbers (in dialling order) and variables; returns its id. */
export async function insertContact(
  pool: Pool, campaignId: string, externalId: string, phones: string[],
  variables: Record<string, string> = { BALANCE: '-100.00' }, fullName = 'Тестов Тест',
  extra: { personId?: string; timeZone?: string } = {},
): Promise<number> {
  const { rows } = await pool.query<{ id: string }>(
    'INSERT INTO contact (campaign_id, external_id, full_name, person_id, time_zone) VALUES ($1, $2, $3, $4, $5) RETURNING id',
    [campaignId, externalId, fullName, extra.personId ?? null, extra.timeZone ?? null],
  );
  const id = Number(rows[0].id);
  for (const [i, e164] of phones.entries()) {
    await pool.query('INSERT INTO contact_phone (contact_id, position, e164, raw) VALUES ($1, $2, $3, $3)', [id, i + 1, e164]);
  }
  for (const [name, value] of Object.entries(variables)) {
    await pool.query('INSERT INTO contact_variable (contact_id, name, value) VALUES ($1, $2, $3)', [id, name, value]);
  }
  return id;
}
