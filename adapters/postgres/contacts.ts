import type { CallOutcome } from '../../domain/outcomes';
import type { StrategyChoice } from '../../domain/strategies/strategy';
import type { ContactResult } from '../../domain/types';
import { CAMPAIGN_CHANGED } from './campaignChanges';
import type { Row } from './rows';
import type { Queryable } from './transaction';

// The contact aggregate: a contact, its numbers and its variables, as the steps read and
// settle them.

/** What the plan step reads of a contact and its campaign, in one query. */
export type ContactPlanRow = Pick<Row<'contact'>, 'id' | 'campaign_id' | 'time_zone'> &
  Pick<Row<'campaign'>, 'template_id' | 'template_version' | 'caller_id' | 'ring_timeout_seconds' | 'max_attempts_per_number' |
    'retry_interval_seconds' | 'operator_key' | 'operator_wait_seconds' | 'detect_machines' | 'min_listen_seconds'> & {
    campaign_zone: Row<'campaign'>['time_zone'];
    machine_action: 'hang_up' | 'leave_message' | 'retry';
    strategy: StrategyChoice;
    phones: Pick<Row<'contact_phone'>, 'position' | 'e164'>[];
  };

export async function readContactPlanRow(db: Queryable, contactId: number): Promise<ContactPlanRow | null> {
  const { rows } = await db.query<ContactPlanRow>(
    `SELECT c.id, c.campaign_id, c.time_zone, k.time_zone AS campaign_zone, k.template_id, k.template_version, k.caller_id,
            k.ring_timeout_seconds, k.max_attempts_per_number, k.retry_interval_seconds,
            k.operator_key, k.operator_wait_seconds, k.detect_machines, k.machine_action, k.min_listen_seconds, k.strategy,
            coalesce((SELECT json_agg(json_build_object('position', p.position, 'e164', p.e164) ORDER BY p.position)
                        FROM contact_phone p WHERE p.contact_id = c.id), '[]') AS phones
       FROM contact c JOIN campaign k ON k.id = c.campaign_id
      WHERE c.id = $1`,
    [contactId],
  );
  return rows[0] ?? null;
}

/** What a message is rendered from: the template's body, the contact's name and variables. */
export interface MessageInputsRow {
  body: Row<'template'>['body'];
  full_name: Row<'contact'>['full_name'];
  variables: Record<string, string>;
}

export async function readMessageInputs(db: Queryable, contactId: number, templateId: number): Promise<MessageInputsRow | null> {
  const { rows } = await db.query<MessageInputsRow>(
    `SELECT t.body, c.full_name,
            coalesce((SELECT json_object_agg(v.name, v.value) FROM contact_variable v WHERE v.contact_id = c.id), '{}') AS variables
       FROM contact c, template t WHERE c.id = $1 AND t.id = $2`,
    [contactId, templateId],
  );
  return rows[0] ?? null;
}

/**
 * One more attempt placed for the contact (the live counters read it), and the campaign's
 * listeners told at commit, in one statement.
 */
export async function countContactAttempt(db: Queryable, contactId: number, campaignId: string): Promise<void> {
  await db.query(
    `WITH counted AS (UPDATE contact SET attempts = attempts + 1, updated_at = now() WHERE id = $1)
     SELECT pg_notify($2, $3)`,
    [contactId, CAMPAIGN_CHANGED, campaignId]);
}

/** The contact's end; the first finish time is kept if the step runs again. */
export async function markContactFinished(
  db: Queryable, contactId: number, state: ContactResult['state'], outcome: CallOutcome | null,
): Promise<void> {
  await db.query(
    `UPDATE contact SET state = $2, outcome = $3, finished_at = coalesce(finished_at, now()), updated_at = now()
      WHERE id = $1`,
    [contactId, state, outcome],
  );
}

/**
 * The contact's end right after its last attempt was recorded, in one statement: the attempt
 * counted (`counted` 0 when a rerun found the attempt already there), the state and outcome
 * (the first finish time kept), its wait cleared, and the campaign's listeners told at commit.
 */
export async function finishContactAfterAttempt(db: Queryable, f: {
  contactId: number; counted: 0 | 1; state: ContactResult['state']; outcome: CallOutcome | null;
}): Promise<void> {
  await db.query(
    `WITH done AS (
       UPDATE contact SET attempts = attempts + $2, state = $3, outcome = $4,
                          finished_at = coalesce(finished_at, now()), updated_at = now()
        WHERE id = $1
       RETURNING campaign_id),
     cleared AS (DELETE FROM contact_wait WHERE contact_id = $1)
     SELECT pg_notify($5, campaign_id) FROM done`,
    [f.contactId, f.counted, f.state, f.outcome, CAMPAIGN_CHANGED],
  );
}

/** The key the caps count a person by (the ERP's person id, else the contact's own). */
export async function readPersonKey(db: Queryable, contactId: number): Promise<string | null> {
  const { rows } = await db.query<Pick<Row<'contact'>, 'person_key'>>('SELECT person_key FROM contact WHERE id = $1', [contactId]);
  return rows[0]?.person_key ?? null;
}
