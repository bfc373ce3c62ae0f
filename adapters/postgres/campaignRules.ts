import type { Queryable } from './transaction';
import type { Row } from './rows';
import type { CallingSchedule, IsoWeekday } from '../../domain/callingSchedule';
import { policyUnderProfile, tighterCaps, type Caps, type LegalPolicy, type PolicyOptions } from '../../domain/legalPolicy';
import type { CampaignState } from '../../domain/outcomes';

// A campaign's calling rules as one value: its schedule, the legal policy on top, its caps,
// and the blacklist groups it ignores. Read by the contact's plan (for the wait) and by the
// gate (for the last word, with the settings as they are at that moment).

export interface CampaignRules {
  campaignId: string;
  state: CampaignState;
  timeZone: string;
  schedule: CallingSchedule;
  policy: LegalPolicy;
  /** Effective caps: the campaign's and the policy's, the lower one winning. */
  personCaps: Caps;
  numberCaps: Caps;
  ignoredBlacklistGroups: string[];
  blacklistAfterUnreachable: number | null;
}

const NO_CAPS: Caps = { day: null, week: null, month: null };

function capsFrom(value: unknown): Caps {
  const v = (value ?? {}) as Partial<Record<keyof Caps, unknown>>;
  const pick = (x: unknown): number | null => (typeof x === 'number' && Number.isInteger(x) && x >= 0 ? x : null);
  return { day: pick(v.day), week: pick(v.week), month: pick(v.month) };
}

/**
 * Reads the rules, with the country's calendar days from `fromDate` for `days` days (the
 * workflow needs the year ahead for its timers; the gate only today's neighbourhood).
 */
export async function readCampaignRules(
  db: Queryable, campaignId: string, calendarFrom: string, calendarDays: number,
): Promise<CampaignRules> {
  return (await readRules(db, campaignId, calendarFrom, calendarDays, false)).rules;
}

/**
 * The rules as the gate keeps them between calls, with their digest (campaign_rules_digest, read
 * in the same statement): the gate's statement does nothing on a copy whose digest is no longer
 * the campaign's.
 */
export async function readCampaignRulesWithDigest(
  db: Queryable, campaignId: string, calendarFrom: string, calendarDays: number,
): Promise<{ rules: CampaignRules; digest: string }> {
  const { rules, digest } = await readRules(db, campaignId, calendarFrom, calendarDays, true);
  return { rules, digest: digest as string };
}

async function readRules(
  db: Queryable, campaignId: string, calendarFrom: string, calendarDays: number, withDigest: boolean,
): Promise<{ rules: CampaignRules; digest: string | null }> {
  const { rows } = await db.query(
    `SELECT k.id, k.state, k.time_zone,${withDigest ? ' campaign_rules_digest(k.id, $2::date, $3::int) AS digest,' : ''}
            to_char(k.window_start, 'HH24:MI:SS') AS window_start, to_char(k.window_end, 'HH24:MI:SS') AS window_end,
            k.weekly_hours, to_char(k.start_date, 'YYYY-MM-DD') AS start_date, to_char(k.end_date, 'YYYY-MM-DD') AS end_date,
            k.legal_policy, k.policy_options, k.caps, k.ignored_blacklist_groups, k.blacklist_after_unreachable,
            p.legal_policy AS profile_policy, p.synthesized_prompt_is_conversation AS profile_conversation,
            coalesce((SELECT json_agg(to_char(d.day, 'YYYY-MM-DD')) FROM calendar_day d
                       WHERE d.country = k.calendar_country AND d.kind = 'holiday'
                         AND d.day BETWEEN $2::date - 1 AND $2::date + $3::int), '[]') AS holidays,
            coalesce((SELECT json_agg(to_char(d.day, 'YYYY-MM-DD')) FROM calendar_day d
                       WHERE d.country = k.calendar_country AND d.kind = 'working'
                         AND d.day BETWEEN $2::date - 1 AND $2::date + $3::int), '[]') AS working_days
       FROM campaign k JOIN rule_profile p ON p.purpose = k.purpose WHERE k.id = $1`,
    [campaignId, calendarFrom, calendarDays],
  );
  if (rows.length === 0) throw new Error(`campaign ${campaignId} does not exist`);
  const r = rows[0];
  // The purpose's rule profile may require a stricter policy (domain/legalPolicy.ts).
  const policy = policyUnderProfile(r.legal_policy, r.policy_options as PolicyOptions,
    { legalPolicy: r.profile_policy, synthesizedPromptIsConversation: r.profile_conversation });
  const caps = (r.caps ?? {}) as { person?: unknown; number?: unknown };
  const rules: CampaignRules = {
    campaignId: r.id,
    state: r.state,
    timeZone: r.time_zone,
    schedule: {
      window: { start: r.window_start, end: r.window_end },
      weeklyHours: r.weekly_hours as Partial<Record<IsoWeekday, [string, string] | null>>,
      startDate: r.start_date,
      endDate: r.end_date,
      calendar: { holidays: r.holidays, workingDays: r.working_days },
      policy: { workingDayHours: policy.workingDayHours, restDayHours: policy.restDayHours },
    },
    policy,
    personCaps: tighterCaps(policy.personCaps, capsFrom(caps.person)),
    numberCaps: tighterCaps(NO_CAPS, capsFrom(caps.number)),
    ignoredBlacklistGroups: r.ignored_blacklist_groups,
    blacklistAfterUnreachable: r.blacklist_after_unreachable,
  };
  return { rules, digest: withDigest ? r.digest : null };
}

/** After how many unreachable calls in a row a number is blacklisted (null: never). */
export async function readUnreachableRule(db: Queryable, campaignId: string): Promise<number | null> {
  const { rows } = await db.query<Pick<Row<'campaign'>, 'blacklist_after_unreachable'>>(
    'SELECT blacklist_after_unreachable FROM campaign WHERE id = $1', [campaignId]);
  return rows[0]?.blacklist_after_unreachable ?? null;
}
