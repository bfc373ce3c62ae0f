import { localDate } from '../domain/callingSchedule';
import type { ContactPhone, ContactPlan } from '../domain/types';
import { readCampaignRules } from '../adapters/postgres/campaignRules';
import { readContactPlanRow } from '../adapters/postgres/contacts';
import { resolveZonesForNumbers } from '../adapters/postgres/subscriberZones';
import type { Queryable } from '../adapters/postgres/transaction';

export class ContactNotFoundError extends Error {
  override readonly name = 'ContactNotFoundError';
}

/** The year of calendar days the workflow's timers may need. */
const CALENDAR_DAYS = 400;

/** The "plan" step: what the contact workflow needs, read once at its start (on a pool, or a client in a transaction). */
export async function plan(pool: Queryable, contactId: number): Promise<ContactPlan> {
  const r = await readContactPlanRow(pool, contactId);
  if (!r) throw new ContactNotFoundError(`contact ${contactId} does not exist`);
  const rules = await readCampaignRules(pool, r.campaign_id, localDate(Date.now(), r.campaign_zone), CALENDAR_DAYS);
  // One query for all of the contact's numbers.
  const zones = await resolveZonesForNumbers(pool, r.phones.map((p) => p.e164), { explicitZone: r.time_zone, campaignZone: r.campaign_zone });
  const phones: ContactPhone[] = r.phones.map((p, i) => ({ ...p, zones: zones[i].zones, zoneSource: zones[i].source }));
  return {
    contactId: Number(r.id),
    campaignId: r.campaign_id,
    phones,
    schedule: rules.schedule,
    countUnanswered: rules.policy.countUnanswered,
    templateId: r.template_id === null ? null : Number(r.template_id),
    templateVersion: r.template_version,
    callerId: r.caller_id,
    ringTimeoutSeconds: r.ring_timeout_seconds,
    strategy: {
      maxAttemptsPerNumber: r.max_attempts_per_number,
      retryIntervalSeconds: r.retry_interval_seconds,
      machineAction: r.machine_action,
    },
    strategyChoice: r.strategy,
    handling: {
      detectMachines: r.detect_machines,
      machineAction: r.machine_action,
      operatorKey: r.operator_key,
      operatorWaitSeconds: r.operator_wait_seconds,
      minListenSeconds: r.min_listen_seconds,
    },
  };
}
