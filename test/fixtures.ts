import { randomBytes } from 'node:crypto';
import type { Pool } from 'pg';
import { createCampaign, setCampaignState, upsertTemplate } from '../adapters/postgres/campaigns';
import type { NewCampaignInput } from '../domain/campaignSettings';
import { speechSettingsSchema, type SpeechSettings } from '../domain/speechSettings';

export interface TestCampaign extends Partial<NewCampaignInput> {
  /** A template body: stored under the campaign's id and set as its template. */
  template?: string;
  /** How the template is spoken (default: the offline voice). */
  speech?: Partial<SpeechSettings>;
  /** The state it is left in: running (the default, as the gate and contact workflows need) or draft. */
  state?: 'running' | 'draft';
}

/**
 * A campaign through the same path a user's takes (createCampaign, setCampaignState): by default
 * a unique id (runs on the persistent Temporal server never meet an old workflow id), calls all
 * day (tests do not depend on the hour) and running. Returns its id.
 */
export async function createTestCampaign(pool: Pool, campaign: TestCampaign = {}): Promise<string> {
  const { template, speech, state = 'running', ...settings } = campaign;
  const id = settings.id ?? `t-${randomBytes(4).toString('hex')}`;
  const templateId = template === undefined ? settings.templateId : await upsertTemplate(pool, `test-${id}`, template);
  if (templateId !== undefined && templateId !== null && speech) {
    // A new version of the template, which the campaign created next pins.
    await pool.query('UPDATE template SET speech = $2::jsonb WHERE id = $1', [templateId, JSON.stringify(speechSettingsSchema.parse(speech))]);
  }
  await createCampaign(pool, {
    name: id, callerId: '+74950000000', windowStart: '00:00', windowEnd: '24:00', ...settings, id, templateId,
  }, 'test');
  if (state === 'running') await setCampaignState(pool, id, 'running', 'test');
  return id;
}

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
