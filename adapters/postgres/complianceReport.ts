import type { Pool, PoolClient as Client } from 'pg';
import type { Caps, PeriodKind } from '../../domain/legalPolicy';
import { UNANSWERED_OUTCOMES } from '../../domain/outcomes';
import { readCampaignRules, type CampaignRules } from './campaignRules';

// The compliance report (docs/compliance.md, "Compliance report"): for a campaign (or every one)
// and a period, the evidence that no rule was broken, computed from the attempt rows and their
// gate proofs, never asserted. Four sections, each with its verdict:
//   hours     calls by local hour in the subscriber's zone, each checked against the legal window
//             and the campaign's own hours of its local day, in every candidate zone;
//   caps      per person, the most calls in a day / week / month as the campaign's policy counts
//             them (calendar or rolling, answered only or every call), against the cap that applied;
//   refusals  the gate's refusals by the reason and the failed rules their proofs hold;
//   proofs    dialled calls whose proof lacks a check that should be there, or holds a failed one.
// Set-based: a statement per section (and one to find the campaigns whose rules count), read in one
// REPEATABLE READ snapshot so the sections agree. Ids only: no name or number leaves here.

/** Checks every dialled call's proof must hold, passed (activities/gate.ts); caps add theirs. */
export const REQUIRED_CHECKS: readonly string[] = [
  'campaign_running', 'not_blacklisted', 'rule_profile', 'not_mass_call_refused', 'consent', 'calling_hours',
];

/** Attempt ids listed as examples in a finding; the counts are always complete. */
export const SAMPLE_IDS = 20;
/** Findings of persons over a cap listed (person, campaign, period); `personsOver` counts every person. */
export const LISTED_PERSONS = 100;

/** Rolling spans as the gate counts them (gate_check: 24, 168 and 720 hours). */
const ROLLING_HOURS = { day: 24, week: 168, month: 720 } as const;
/** How far back calls still count for a call in the period: a month, either kind, with a zone's offset. */
const LOOKBACK_DAYS = 32;

export interface ComplianceQuery {
  /** null: every campaign. */
  campaignId: string | null;
  /** [from, to): attempts whose call started (or refusal was decided) in it. */
  from: Date;
  to: Date;
}

export interface Finding {
  count: number;
  /** Up to SAMPLE_IDS of them, in id order. */
  attemptIds: number[];
}

export interface CampaignWindow {
  campaignId: string;
  policy: string;
  /** The legal hours on working and on rest days ([start, end), local); null: the policy sets none. */
  workingDayHours: [string, string] | null;
  restDayHours: [string, string] | null;
}

export interface HourRow {
  /** 0..23 in the subscriber's (first candidate) zone. */
  hour: number;
  calls: number;
  workingDayCalls: number;
  restDayCalls: number;
  outsideLegal: number;
  outsideCampaign: number;
}

export interface HoursSection {
  passed: boolean;
  dialled: number;
  windows: CampaignWindow[];
  byHour: HourRow[];
  outsideLegal: Finding;
  outsideCampaign: Finding;
}

export type CapPeriod = keyof Caps;

export interface CampaignCaps {
  campaignId: string;
  policy: string;
  period: PeriodKind;
  countUnanswered: boolean;
  /** The person's caps the gate applied (the policy's and the campaign's, the lower). */
  caps: Caps;
  /** The most calls a person had in a period, counted at a call of this campaign (that call included). */
  max: Record<CapPeriod, number>;
  /** Calls of this campaign that counted. */
  countedCalls: number;
  personsOver: number;
}

export interface PersonOverCap {
  personId: string;
  campaignId: string;
  period: CapPeriod;
  calls: number;
  cap: number;
  attemptIds: number[];
}

export interface CapsSection {
  passed: boolean;
  campaigns: CampaignCaps[];
  personsOver: number;
  overCap: PersonOverCap[];
}

export interface RefusalReason {
  /** The refusal the proof names (blacklisted, outside_window, cap_reached, mass_call_refused, …). */
  reason: string;
  count: number;
  /** The failed checks of these proofs, by rule. */
  rules: { rule: string; count: number }[];
}

export interface RefusalsSection {
  /** Every refusal names its reason and a failed check. */
  passed: boolean;
  total: number;
  byReason: RefusalReason[];
  unexplained: Finding;
}

export interface ProofRuleGap {
  rule: string;
  missing: number;
  failed: number;
}

export interface ProofsSection {
  passed: boolean;
  dialled: number;
  complete: number;
  incomplete: Finding;
  /** Dialled calls whose proof does not say allowed. */
  notAllowed: number;
  byRule: ProofRuleGap[];
}

export interface ComplianceReport {
  campaignId: string | null;
  from: Date;
  to: Date;
  generatedAt: Date;
  /** Every section passed. */
  passed: boolean;
  hours: HoursSection;
  caps: CapsSection;
  refusals: RefusalsSection;
  proofs: ProofsSection;
}

/** One campaign's rules as the statements read them (jsonb_to_recordset). */
interface PolicyRow {
  campaign_id: string;
  policy: string;
  rolling: boolean;
  count_unanswered: boolean;
  p_day: number | null;
  p_week: number | null;
  p_month: number | null;
  w_start: string | null;
  w_end: string | null;
  r_start: string | null;
  r_end: string | null;
  required: string[];
}

const POLICY_TABLE = `jsonb_to_recordset($4::jsonb) AS pol(campaign_id text, policy text, rolling boolean, count_unanswered boolean,
  p_day int, p_week int, p_month int, w_start time, w_end time, r_start time, r_end time, required text[])`;

/** The report's attempts: of the campaign (or all), started in [from, to). */
const IN_SCOPE = `($1::text IS NULL OR a.campaign_id = $1) AND a.started_at >= $2::timestamptz AND a.started_at < $3::timestamptz`;

function policyRow(r: CampaignRules): PolicyRow {
  const { policy, personCaps, numberCaps } = r;
  const capChecks: string[] = [];
  for (const [scope, caps] of [['person', personCaps], ['number', numberCaps]] as const) {
    for (const p of ['day', 'week', 'month'] as const) if (caps[p] !== null) capChecks.push(`cap_${scope}_${p}`);
  }
  return {
    campaign_id: r.campaignId, policy: policy.name, rolling: policy.period === 'rolling', count_unanswered: policy.countUnanswered,
    p_day: personCaps.day, p_week: personCaps.week, p_month: personCaps.month,
    w_start: policy.workingDayHours?.[0] ?? null, w_end: policy.workingDayHours?.[1] ?? null,
    r_start: policy.restDayHours?.[0] ?? null, r_end: policy.restDayHours?.[1] ?? null,
    required: [...REQUIRED_CHECKS, ...capChecks],
  };
}

/**
 * The report. `pool` gives a client of its own: the statements share one read-only snapshot.
 * Rules are the campaigns' as they are now (the caps, the policy, the hours): a campaign whose
 * settings changed within the period is judged by its current ones.
 */
export async function complianceReport(pool: Pool, q: ComplianceQuery): Promise<ComplianceReport> {
  const client = await pool.connect();
  try {
    await client.query('BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY');
    const base = [q.campaignId, q.from.toISOString(), q.to.toISOString()];
    // The campaigns whose rules count: those of the period's dialled calls, and those of every
    // call that counts toward their persons' caps (a person's calls of other campaigns count too).
    const { rows: involved } = await client.query<{ campaign_id: string }>(
      `WITH scope AS (SELECT DISTINCT a.contact_id FROM attempt a WHERE ${IN_SCOPE} AND a.outcome <> 'refused'),
            persons AS (SELECT DISTINCT c.person_key FROM contact c WHERE c.id IN (SELECT contact_id FROM scope))
       SELECT DISTINCT a.campaign_id FROM persons p JOIN contact c ON c.person_key = p.person_key
         JOIN attempt a ON a.contact_id = c.id
        WHERE a.started_at >= $2::timestamptz - make_interval(days => ${LOOKBACK_DAYS}) AND a.started_at < $3::timestamptz
          AND a.outcome <> 'refused'
       UNION SELECT $1::text WHERE $1::text IS NOT NULL -- its window is shown even when it dialled nothing
        ORDER BY 1`, base);
    const day = q.from.toISOString().slice(0, 10);
    const rules: CampaignRules[] = [];
    for (const { campaign_id: id } of involved) rules.push(await readCampaignRules(client, id, day, 0));
    const policies = rules.map(policyRow);
    const params = [...base, JSON.stringify(policies)];

    const hours = await hoursSection(client, params, policies, q.campaignId);
    const caps = await capsSection(client, params);
    const refusals = await refusalsSection(client, base);
    const proofs = await proofsSection(client, params);
    await client.query('COMMIT');
    return {
      campaignId: q.campaignId, from: q.from, to: q.to, generatedAt: new Date(),
      passed: hours.passed && caps.passed && refusals.passed && proofs.passed,
      hours, caps, refusals, proofs,
    };
  } catch (err) {
    await client.query('ROLLBACK').catch(() => undefined);
    throw err;
  } finally {
    client.release();
  }
}

const hhmm = (t: string | null): string | null => (t === null ? null : t.slice(0, 5));

async function hoursSection(db: Client, params: unknown[], policies: PolicyRow[], campaignId: string | null): Promise<HoursSection> {
  // Each dialled call in each of its candidate zones (the campaign's zone when the row has none):
  // its wall clock there, the kind of its local day in the campaign's calendar, and whether the
  // clock read a time inside the legal window and inside the campaign's hours of that day.
  const { rows: [r] } = await db.query(
    `WITH pol AS (SELECT * FROM ${POLICY_TABLE}),
     zoned AS (
       SELECT a.id, z.ord, (a.started_at AT TIME ZONE z.zone) AS local_ts, k.calendar_country, k.window_start, k.window_end,
              k.weekly_hours, k.start_date, k.end_date, pol.w_start, pol.w_end, pol.r_start, pol.r_end
         FROM attempt a JOIN campaign k ON k.id = a.campaign_id JOIN pol ON pol.campaign_id = a.campaign_id
        CROSS JOIN LATERAL unnest(coalesce(a.time_zones, ARRAY[k.time_zone])) WITH ORDINALITY AS z(zone, ord)
        WHERE ${IN_SCOPE} AND a.outcome <> 'refused'),
     clocked AS (
       SELECT z.*, z.local_ts::date AS local_date, z.local_ts::time AS local_time,
              coalesce(cd.kind = 'holiday', extract(isodow FROM z.local_ts) >= 6) AS rest_day,
              z.weekly_hours -> extract(isodow FROM z.local_ts)::int::text AS weekly
         FROM zoned z LEFT JOIN calendar_day cd ON cd.country = z.calendar_country AND cd.day = z.local_ts::date),
     judged AS (
       SELECT c.id, c.ord, extract(hour FROM c.local_time)::int AS hour, c.rest_day,
              CASE WHEN c.rest_day THEN c.r_start IS NULL OR (c.local_time >= c.r_start AND c.local_time < c.r_end)
                   ELSE c.w_start IS NULL OR (c.local_time >= c.w_start AND c.local_time < c.w_end) END AS in_legal,
              coalesce(jsonb_typeof(c.weekly) <> 'null', true)
                AND c.local_time >= coalesce((c.weekly ->> 0)::time, c.window_start)
                AND c.local_time < coalesce((c.weekly ->> 1)::time, c.window_end)
                AND (c.start_date IS NULL OR c.local_date >= c.start_date)
                AND (c.end_date IS NULL OR c.local_date <= c.end_date) AS in_campaign
         FROM clocked c),
     per_call AS (
       SELECT id, min(hour) FILTER (WHERE ord = 1) AS hour, bool_or(rest_day) FILTER (WHERE ord = 1) AS rest_day,
              bool_and(in_legal) AS in_legal, bool_and(in_campaign) AS in_campaign
         FROM judged GROUP BY id)
     SELECT (SELECT count(*)::int FROM per_call) AS dialled,
            (SELECT coalesce(json_agg(h ORDER BY h.hour), '[]') FROM (
               SELECT hour, count(*)::int AS calls, count(*) FILTER (WHERE NOT rest_day)::int AS "workingDayCalls",
                      count(*) FILTER (WHERE rest_day)::int AS "restDayCalls",
                      count(*) FILTER (WHERE NOT in_legal)::int AS "outsideLegal",
                      count(*) FILTER (WHERE NOT in_campaign)::int AS "outsideCampaign"
                 FROM per_call GROUP BY hour) h) AS by_hour,
            (SELECT count(*)::int FROM per_call WHERE NOT in_legal) AS legal_count,
            ARRAY(SELECT id FROM per_call WHERE NOT in_legal ORDER BY id LIMIT ${SAMPLE_IDS}) AS legal_ids,
            (SELECT count(*)::int FROM per_call WHERE NOT in_campaign) AS campaign_count,
            ARRAY(SELECT id FROM per_call WHERE NOT in_campaign ORDER BY id LIMIT ${SAMPLE_IDS}) AS campaign_ids`,
    params);
  const windows = policies
    .filter((p) => campaignId === null || p.campaign_id === campaignId)
    .map((p): CampaignWindow => ({
      campaignId: p.campaign_id, policy: p.policy,
      workingDayHours: p.w_start === null ? null : [hhmm(p.w_start) as string, hhmm(p.w_end) as string],
      restDayHours: p.r_start === null ? null : [hhmm(p.r_start) as string, hhmm(p.r_end) as string],
    }));
  const outsideLegal: Finding = { count: r.legal_count, attemptIds: r.legal_ids.map(Number) };
  const outsideCampaign: Finding = { count: r.campaign_count, attemptIds: r.campaign_ids.map(Number) };
  return {
    passed: outsideLegal.count === 0 && outsideCampaign.count === 0,
    dialled: r.dialled, windows, byHour: r.by_hour as HourRow[], outsideLegal, outsideCampaign,
  };
}

async function capsSection(db: Client, params: unknown[]): Promise<CapsSection> {
  const span = (h: number): string => `interval '${h} hours' - interval '1 microsecond'`;
  // The persons of the period's dialled calls, and every call of theirs that counts (any campaign,
  // as its own campaign's policy counts it) from a month before the period on. For each of the
  // report's calls, the calls counted in its period up to and including it: the day, ISO week and
  // month of its local date in its first zone (calendar), or the 24, 168 and 720 hours before it
  // (rolling: the gate's window, whose oldest moment is not in it).
  const { rows } = await db.query<{
    campaign_id: string; person_key: string; attempt_id: string; calls: number[]; caps: (number | null)[];
  }>(
    `WITH pol AS (SELECT * FROM ${POLICY_TABLE}),
     scope AS (SELECT a.id, a.contact_id FROM attempt a WHERE ${IN_SCOPE} AND a.outcome <> 'refused'),
     persons AS (SELECT DISTINCT c.person_key FROM contact c WHERE c.id IN (SELECT contact_id FROM scope)),
     calls AS (
       SELECT a.id, a.campaign_id, a.started_at, c.person_key,
              (a.started_at AT TIME ZONE coalesce(a.time_zones[1], k.time_zone))::date AS local_day
         FROM persons p JOIN contact c ON c.person_key = p.person_key JOIN attempt a ON a.contact_id = c.id
         JOIN campaign k ON k.id = a.campaign_id JOIN pol ON pol.campaign_id = a.campaign_id
        WHERE a.started_at >= $2::timestamptz - make_interval(days => ${LOOKBACK_DAYS}) AND a.started_at < $3::timestamptz
          AND a.outcome <> 'refused' AND (pol.count_unanswered OR NOT (a.outcome = ANY ($5::call_outcome[])))),
     counted AS (
       SELECT c.*,
         count(*) OVER (PARTITION BY person_key, local_day ORDER BY started_at, id ROWS UNBOUNDED PRECEDING) AS cal_day,
         count(*) OVER (PARTITION BY person_key, date_trunc('week', local_day) ORDER BY started_at, id ROWS UNBOUNDED PRECEDING) AS cal_week,
         count(*) OVER (PARTITION BY person_key, date_trunc('month', local_day) ORDER BY started_at, id ROWS UNBOUNDED PRECEDING) AS cal_month,
         count(*) OVER (PARTITION BY person_key ORDER BY started_at RANGE BETWEEN ${span(ROLLING_HOURS.day)} PRECEDING AND CURRENT ROW) AS roll_day,
         count(*) OVER (PARTITION BY person_key ORDER BY started_at RANGE BETWEEN ${span(ROLLING_HOURS.week)} PRECEDING AND CURRENT ROW) AS roll_week,
         count(*) OVER (PARTITION BY person_key ORDER BY started_at RANGE BETWEEN ${span(ROLLING_HOURS.month)} PRECEDING AND CURRENT ROW) AS roll_month
         FROM calls c)
     SELECT c.campaign_id, c.person_key, c.id AS attempt_id,
            CASE WHEN pol.rolling THEN ARRAY[c.roll_day, c.roll_week, c.roll_month]
                 ELSE ARRAY[c.cal_day, c.cal_week, c.cal_month] END::int[] AS calls,
            ARRAY[pol.p_day, pol.p_week, pol.p_month] AS caps
       FROM counted c JOIN pol ON pol.campaign_id = c.campaign_id
      WHERE c.id IN (SELECT id FROM scope)
      ORDER BY c.id`,
    [...params, UNANSWERED_OUTCOMES]);
  const policies = JSON.parse(params[3] as string) as PolicyRow[];
  const periods: CapPeriod[] = ['day', 'week', 'month'];
  const byCampaign = new Map<string, CampaignCaps & { over: Set<string> }>();
  const over = new Map<string, PersonOverCap>();
  // Only the report's own calls are judged here (one row each, already counted by the statement).
  for (const row of rows) {
    let c = byCampaign.get(row.campaign_id);
    if (!c) {
      const p = policies.find((x) => x.campaign_id === row.campaign_id) as PolicyRow;
      c = {
        campaignId: p.campaign_id, policy: p.policy, period: p.rolling ? 'rolling' : 'calendar', countUnanswered: p.count_unanswered,
        caps: { day: p.p_day, week: p.p_week, month: p.p_month }, max: { day: 0, week: 0, month: 0 }, countedCalls: 0, personsOver: 0,
        over: new Set(),
      };
      byCampaign.set(row.campaign_id, c);
    }
    c.countedCalls++;
    periods.forEach((period, i) => {
      const calls = row.calls[i];
      const cap = row.caps[i];
      c.max[period] = Math.max(c.max[period], calls);
      if (cap === null || calls <= cap) return;
      c.over.add(row.person_key);
      const key = `${row.person_key}\n${row.campaign_id}\n${period}`;
      const seen = over.get(key);
      if (seen) {
        seen.calls = Math.max(seen.calls, calls);
        if (seen.attemptIds.length < SAMPLE_IDS) seen.attemptIds.push(Number(row.attempt_id));
      } else {
        over.set(key, { personId: row.person_key, campaignId: row.campaign_id, period, calls, cap, attemptIds: [Number(row.attempt_id)] });
      }
    });
  }
  const campaigns = [...byCampaign.values()].map(({ over: persons, ...c }) => ({ ...c, personsOver: persons.size }));
  const personsOver = new Set([...over.values()].map((o) => o.personId)).size;
  return {
    passed: over.size === 0, campaigns, personsOver,
    overCap: [...over.values()].slice(0, LISTED_PERSONS),
  };
}

async function refusalsSection(db: Client, params: unknown[]): Promise<RefusalsSection> {
  // Grouped by what each proof says, whatever the reasons are: the gate's list grows.
  const { rows: [r] } = await db.query(
    `WITH refused AS (SELECT a.id, a.gate FROM attempt a WHERE ${IN_SCOPE} AND a.outcome = 'refused'),
     failed AS (SELECT f.id, coalesce(f.gate ->> 'refusal', '') AS reason, ch ->> 'rule' AS rule
                  FROM refused f CROSS JOIN LATERAL jsonb_array_elements(coalesce(f.gate -> 'checks', '[]')) ch
                 WHERE (ch ->> 'passed')::boolean IS DISTINCT FROM true),
     unexplained AS (SELECT f.id FROM refused f
                      WHERE coalesce(f.gate ->> 'refusal', '') = '' OR (f.gate ->> 'allowed')::boolean IS DISTINCT FROM false
                         OR NOT EXISTS (SELECT 1 FROM failed x WHERE x.id = f.id))
     SELECT (SELECT count(*)::int FROM refused) AS total,
            (SELECT coalesce(json_agg(json_build_object('reason', g.reason, 'count', g.n,
                      'rules', (SELECT coalesce(json_agg(json_build_object('rule', x.rule, 'count', x.n) ORDER BY x.n DESC, x.rule), '[]')
                                  FROM (SELECT rule, count(*)::int AS n FROM failed WHERE reason = g.reason GROUP BY rule) x))
                    ORDER BY g.n DESC, g.reason), '[]')
               FROM (SELECT coalesce(gate ->> 'refusal', '') AS reason, count(*)::int AS n FROM refused GROUP BY 1) g) AS by_reason,
            (SELECT count(*)::int FROM unexplained) AS unexplained_count,
            ARRAY(SELECT id FROM unexplained ORDER BY id LIMIT ${SAMPLE_IDS}) AS unexplained_ids`,
    params);
  const unexplained: Finding = { count: r.unexplained_count, attemptIds: r.unexplained_ids.map(Number) };
  return { passed: unexplained.count === 0, total: r.total, byReason: r.by_reason as RefusalReason[], unexplained };
}

async function proofsSection(db: Client, params: unknown[]): Promise<ProofsSection> {
  // Each dialled call against the checks its campaign's proof must hold: a required rule absent
  // is missing; any check present but not passed (required or not) is failed.
  const { rows: [r] } = await db.query(
    `WITH pol AS (SELECT * FROM ${POLICY_TABLE}),
     dialled AS (SELECT a.id, a.gate, pol.required FROM attempt a JOIN pol ON pol.campaign_id = a.campaign_id
                  WHERE ${IN_SCOPE} AND a.outcome <> 'refused'),
     checks AS (SELECT d.id, ch ->> 'rule' AS rule, (ch ->> 'passed')::boolean IS TRUE AS passed
                  FROM dialled d CROSS JOIN LATERAL jsonb_array_elements(coalesce(d.gate -> 'checks', '[]')) ch),
     gaps AS (SELECT d.id, req.rule, 'missing' AS kind FROM dialled d CROSS JOIN LATERAL unnest(d.required) req(rule)
               WHERE NOT EXISTS (SELECT 1 FROM checks c WHERE c.id = d.id AND c.rule = req.rule)
              UNION ALL
              SELECT DISTINCT c.id, c.rule, 'failed' FROM checks c WHERE NOT c.passed),
     not_allowed AS (SELECT id FROM dialled WHERE (gate ->> 'allowed')::boolean IS DISTINCT FROM true),
     incomplete AS (SELECT id FROM gaps UNION SELECT id FROM not_allowed)
     SELECT (SELECT count(*)::int FROM dialled) AS dialled,
            (SELECT count(*)::int FROM incomplete) AS incomplete_count,
            ARRAY(SELECT id FROM incomplete ORDER BY id LIMIT ${SAMPLE_IDS}) AS incomplete_ids,
            (SELECT count(*)::int FROM not_allowed) AS not_allowed,
            (SELECT coalesce(json_agg(g ORDER BY g.rule), '[]') FROM (
               SELECT rule, count(*) FILTER (WHERE kind = 'missing')::int AS missing, count(*) FILTER (WHERE kind = 'failed')::int AS failed
                 FROM gaps GROUP BY rule) g) AS by_rule`,
    params);
  const incomplete: Finding = { count: r.incomplete_count, attemptIds: r.incomplete_ids.map(Number) };
  return {
    passed: incomplete.count === 0, dialled: r.dialled, complete: r.dialled - incomplete.count, incomplete,
    notAllowed: r.not_allowed, byRule: r.by_rule as ProofRuleGap[],
  };
}

/** Whether the campaign exists: a report of an unknown one is a mistake, not an empty report. */
export async function campaignExists(db: Pool, campaignId: string): Promise<boolean> {
  const { rows } = await db.query('SELECT 1 FROM campaign WHERE id = $1', [campaignId]);
  return rows.length > 0;
}
