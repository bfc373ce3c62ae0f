import type { Pool } from 'pg';
import {
  applyCampaignPatch, CAMPAIGN_SETTING_NAMES, CampaignInputError, parseNewCampaign, parseStoredCampaignSettings,
  type CampaignSettingName, type CampaignSettings, type CampaignSettingsPatch, type NewCampaignInput,
} from '../../domain/campaignSettings';
import type { CampaignState } from '../../domain/outcomes';
import { holdCampaignAdmissions } from './campaignAdmission';
import { inTransaction, type Queryable } from './transaction';

// The campaign table's writes: every setting goes through domain/campaignSettings.ts, so the
// demo, the tests, the bench and the API store only what its schema accepts. The Temporal
// side of starting a campaign is adapters/temporal/workflowStarters.ts.

export { CampaignInputError };

interface Column {
  name: string;
  /** How the column is read back as the setting (default: the column itself). */
  read?: string;
  /** The parameter's cast on write. */
  cast?: string;
  toDb?: (value: unknown) => unknown;
  fromDb?: (value: unknown) => unknown;
}

const jsonColumn = (name: string): Column => ({ name, cast: 'jsonb', toDb: (v) => JSON.stringify(v) });

/** The one mapping between settings and columns: inserts, updates and reads all use it. */
const COLUMNS: Record<CampaignSettingName, Column> = {
  name: { name: 'name' },
  callerId: { name: 'caller_id' },
  callerIdPool: { name: 'caller_id_pool' },
  timeZone: { name: 'time_zone' },
  windowStart: { name: 'window_start', read: `to_char(window_start, 'HH24:MI:SS')` },
  windowEnd: { name: 'window_end', read: `to_char(window_end, 'HH24:MI:SS')` },
  weeklyHours: jsonColumn('weekly_hours'),
  startDate: { name: 'start_date', read: `to_char(start_date, 'YYYY-MM-DD')` },
  endDate: { name: 'end_date', read: `to_char(end_date, 'YYYY-MM-DD')` },
  calendarCountry: { name: 'calendar_country' },
  purpose: { name: 'purpose' },
  legalPolicy: { name: 'legal_policy' },
  policyOptions: jsonColumn('policy_options'),
  caps: jsonColumn('caps'),
  ignoredBlacklistGroups: { name: 'ignored_blacklist_groups', cast: 'text[]' },
  blacklistAfterUnreachable: { name: 'blacklist_after_unreachable' },
  maxChannels: { name: 'max_channels' },
  trunk: { name: 'trunk' },
  detectMachines: { name: 'detect_machines' },
  machineAction: { name: 'machine_action' },
  operatorKey: { name: 'operator_key' },
  operatorWaitSeconds: { name: 'operator_wait_seconds' },
  minListenSeconds: { name: 'min_listen_seconds' },
  recordCalls: { name: 'record_calls' },
  personalDataRetentionDays: { name: 'personal_data_retention_days' },
  ringTimeoutSeconds: { name: 'ring_timeout_seconds' },
  maxAttemptsPerNumber: { name: 'max_attempts_per_number' },
  retryIntervalSeconds: { name: 'retry_interval_seconds' },
  strategy: jsonColumn('strategy'),
  workflowType: { name: 'workflow_type' },
  maxInFlight: { name: 'max_in_flight' },
  // bigint comes back as a string.
  templateId: { name: 'template_id', fromDb: (v) => (v === null ? null : Number(v)) },
};

const toDb = (field: CampaignSettingName, value: unknown): unknown => {
  const { toDb: convert } = COLUMNS[field];
  return convert && value !== null ? convert(value) : value;
};

const placeholder = (field: CampaignSettingName, n: number): string => {
  const { cast } = COLUMNS[field];
  return cast ? `$${n}::${cast}` : `$${n}`;
};

/** Creates a draft campaign with every setting (the schema's defaults for those not given). */
export async function createCampaign(pool: Pool, input: NewCampaignInput, actor: string): Promise<string> {
  const campaign = parseNewCampaign(input);
  const fields = CAMPAIGN_SETTING_NAMES;
  await inTransaction(pool, async (db) => {
    await db.query(
      `INSERT INTO campaign (id, ${fields.map((f) => COLUMNS[f].name).join(', ')})
       VALUES ($1, ${fields.map((f, i) => placeholder(f, i + 2)).join(', ')})`,
      [campaign.id, ...fields.map((f) => toDb(f, campaign[f]))],
    ).catch(explainConstraint);
    await auditCampaign(db, actor, 'campaign.created', campaign.id, { name: campaign.name });
  });
  return campaign.id;
}

/**
 * Changes some settings. The patch is checked alone and then merged with the stored row (so a
 * rule between fields holds against the values it does not change), in one transaction that
 * holds the row; only the fields whose value changed are written, in one statement, and the
 * audit row names them (the names only; the values are in the row). Returns the
 * changed fields; nothing is written when there are none.
 */
export async function updateCampaign(
  pool: Pool, campaignId: string, patch: CampaignSettingsPatch, actor: string,
): Promise<CampaignSettingName[]> {
  return inTransaction(pool, async (db) => {
    const stored = await readCampaignSettings(db, campaignId, { lock: true });
    if (!stored) throw notFound(campaignId);
    const { settings, changed } = applyCampaignPatch(stored, patch);
    if (changed.length === 0) return changed;
    await db.query(
      `UPDATE campaign SET ${changed.map((f, i) => `${COLUMNS[f].name} = ${placeholder(f, i + 2)}`).join(', ')} WHERE id = $1`,
      [campaignId, ...changed.map((f) => toDb(f, settings[f]))],
    ).catch(explainConstraint);
    await auditCampaign(db, actor, 'campaign.updated', campaignId, { fields: changed });
    return changed;
  });
}

/** The stored settings (null when there is no such campaign); `lock` holds the row for an update. */
export async function readCampaignSettings(
  db: Queryable, campaignId: string, opts: { lock?: boolean } = {},
): Promise<CampaignSettings | null> {
  const { rows } = await db.query(
    `SELECT ${CAMPAIGN_SETTING_NAMES.map((f) => `${COLUMNS[f].read ?? COLUMNS[f].name} AS "${f}"`).join(', ')}
       FROM campaign WHERE id = $1${opts.lock ? ' FOR NO KEY UPDATE' : ''}`,
    [campaignId],
  );
  if (rows.length === 0) return null;
  const row = rows[0] as Record<CampaignSettingName, unknown>;
  return parseStoredCampaignSettings(Object.fromEntries(CAMPAIGN_SETTING_NAMES.map((f) => {
    const { fromDb } = COLUMNS[f];
    return [f, fromDb ? fromDb(row[f]) : row[f]];
  })));
}

/** The states a user (or a test) may put a campaign in, and the states each may come from. */
const ALLOWED_FROM: Record<SettableState, CampaignState[]> = {
  running: ['draft', 'running', 'paused', 'completed'],
  paused: ['draft', 'running', 'paused'],
  // Final: a stopped campaign is never run again (its contacts end cancelled).
  cancelled: ['draft', 'running', 'paused', 'cancelled'],
};

export type SettableState = 'running' | 'paused' | 'cancelled';

/**
 * Sets a campaign running, paused or cancelled (the state is the dialer's, not a setting: this
 * is the one way in besides the campaign's own completion). Returns the state it was in; the
 * audit row is written only on a change. `from` narrows the states it may come from (a resume
 * comes from a pause, not from a draft).
 *
 * It first waits for every originate of the campaign in flight and holds new ones off until it
 * commits (adapters/postgres/campaignAdmission.ts): when it returns `paused` or `cancelled`, no
 * worker sends another call of this campaign.
 */
export async function setCampaignState(
  pool: Pool, campaignId: string, state: SettableState, actor: string, opts: { from?: readonly CampaignState[] } = {},
): Promise<CampaignState> {
  return inTransaction(pool, async (db) => {
    await holdCampaignAdmissions(db, campaignId);
    const { rows } = await db.query<{ state: CampaignState }>(
      'SELECT state FROM campaign WHERE id = $1 FOR NO KEY UPDATE', [campaignId]);
    if (rows.length === 0) throw notFound(campaignId);
    const from = rows[0].state;
    if (from === state) return from;
    if (!ALLOWED_FROM[state].includes(from) || (opts.from && !opts.from.includes(from))) {
      throw new CampaignInputError(`campaign ${campaignId} is ${from}: it cannot be set ${state}`,
        [{ path: 'state', message: `is ${from}` }]);
    }
    await db.query(
      `UPDATE campaign SET state = $2::campaign_state,
              started_at = CASE WHEN $2::campaign_state = 'running' THEN coalesce(started_at, now()) ELSE started_at END,
              finished_at = CASE WHEN $2::campaign_state = 'cancelled' THEN coalesce(finished_at, now()) ELSE finished_at END
        WHERE id = $1`,
      [campaignId, state],
    );
    await auditCampaign(db, actor, 'campaign.state_changed', campaignId, { from, to: state });
    return from;
  });
}

/** The campaign's state now (null when there is no such campaign). */
export async function readCampaignState(db: Queryable, campaignId: string): Promise<CampaignState | null> {
  const { rows } = await db.query<{ state: CampaignState }>('SELECT state FROM campaign WHERE id = $1', [campaignId]);
  return rows[0]?.state ?? null;
}

export async function upsertTemplate(pool: Pool, name: string, body: string): Promise<number> {
  const { rows } = await pool.query<{ id: string }>(
    `INSERT INTO template (name, body) VALUES ($1, $2)
     ON CONFLICT (name) DO UPDATE SET body = excluded.body RETURNING id`,
    [name, body],
  );
  return Number(rows[0].id);
}

/** One audit row about a campaign; `details` carries no personal data. */
export async function auditCampaign(
  db: Queryable, actor: string, action: string, campaignId: string, details: object,
): Promise<void> {
  await db.query(
    `INSERT INTO audit_log (actor, action, entity, entity_id, details) VALUES ($1, $2, 'campaign', $3, $4)`,
    [actor, action, campaignId, JSON.stringify(details)],
  );
}

const notFound = (campaignId: string): CampaignInputError =>
  new CampaignInputError(`campaign ${campaignId} does not exist`, [{ path: 'id', message: 'does not exist' }]);

/** The references and the id that only the database can check, named as settings. */
const CONSTRAINT_ISSUES: Record<string, { path: string; message: string }> = {
  campaign_pkey: { path: 'id', message: 'a campaign with this id exists' },
  campaign_trunk_fkey: { path: 'trunk', message: 'no trunk of this name' },
  campaign_caller_id_pool_fkey: { path: 'callerIdPool', message: 'no caller-ID pool of this name' },
  campaign_template_id_fkey: { path: 'templateId', message: 'no template with this id' },
};

function explainConstraint(err: unknown): never {
  const constraint = (err as { constraint?: string }).constraint;
  const issue = constraint ? CONSTRAINT_ISSUES[constraint] : undefined;
  if (issue) throw new CampaignInputError(`${issue.path}: ${issue.message}`, [issue]);
  throw err;
}
