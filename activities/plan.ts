import type { Pool } from 'pg';
import { localDate } from '../domain/callingSchedule';
import type { ContactPhone, ContactPlan } from '../domain/types';
import { resolveZonesForNumbers } from '../adapters/postgres/subscriberZones';
import { readCampaignRules } from '../adapters/postgres/campaignRules';

export class ContactNotFoundError extends Error {
  override readonly name = 'ContactNotFoundError';
}

/** The year of calendar days the workflow's timers may need. */
const CALENDAR_DAYS = 400;

/** Reads what the contact workflow needs once, at its start. */
export async function plan(pool: Pool, contactId: number): Promise<ContactPlan> {
  const { rows } = await pool.query(
    `SELECT c.id, c.campaign_id, c.time_zone, k.time_zone AS campaign_zone, k.template_id, k.caller_id,
            k.ring_timeout_seconds, k.max_attempts_per_number, k.retry_interval_seconds,
            k.operator_key, k.operator_wait_seconds, k.detect_machines, k.machine_action, k.min_listen_seconds,
            coalesce((SELECT json_agg(json_build_object('position', p.position, 'e164', p.e164) ORDER BY p.position)
                        FROM contact_phone p WHERE p.contact_id = c.id), '[]') AS phones
       FROM contact c JOIN campaign k ON k.id = c.campaign_id
      WHERE c.id = $1`,
    [contactId],
  );
  if (rows.length === 0) throw new ContactNotFoundError(`contact ${contactId} does not exist`);
  const r = rows[0];
  const rules = await readCampaignRules(pool, r.campaign_id, localDate(Date.now(), r.campaign_zone), CALENDAR_DAYS);
  const listed = r.phones as { position: number; e164: string }[];
  // One query for all of the contact's numbers.
  const zones = await resolveZonesForNumbers(pool, listed.map((p) => p.e164), { explicitZone: r.time_zone, campaignZone: r.campaign_zone });
  const phones: ContactPhone[] = listed.map((p, i) => ({ ...p, zones: zones[i].zones, zoneSource: zones[i].source }));
  return {
    contactId: Number(r.id),
    campaignId: r.campaign_id,
    phones,
    schedule: rules.schedule,
    countUnanswered: rules.policy.countUnanswered,
    templateId: r.template_id === null ? null : Number(r.template_id),
    callerId: r.caller_id,
    ringTimeoutSeconds: r.ring_timeout_seconds,
    strategy: {
      maxAttemptsPerNumber: r.max_attempts_per_number,
      retryIntervalSeconds: r.retry_interval_seconds,
      machineAction: r.machine_action,
    },
    handling: {
      detectMachines: r.detect_machines,
      machineAction: r.machine_action,
      operatorKey: r.operator_key,
      operatorWaitSeconds: r.operator_wait_seconds,
      minListenSeconds: r.min_listen_seconds,
    },
  };
}
