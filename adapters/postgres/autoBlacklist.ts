import { createLogger } from '../../common/logger';
import {
  DEFAULT_AUTO_BLACKLIST_RULE, autoBlacklistRuleSchema, judgeBreaker, provedInvalid, resultMayBlacklist,
  type AutoBlacklistRule, type BreakerVerdict, type RateWindow,
} from '../../domain/autoBlacklistRule';
import type { AttemptRecord } from '../../domain/types';
import { autoBlacklistSuspended, autoBlacklistTotal } from '../metrics/dialerMetrics';
import { addAutomaticEntry } from './blacklist';
import type { Queryable } from './transaction';

// Automatic blacklisting per trunk (domain/autoBlacklistRule.ts, docs/outcomes.md): an
// invalid-number result adds its number only as its trunk's rule allows, is counted per trunk
// and day, and is held back while the trunk's breaker is open (its rate of invalid results far
// above its usual rate). The trunk of a result is its campaign's; calls on the worker's default
// endpoint belong to the trunk named 'default'.

const DEFAULT_TRUNK = 'default';

const log = createLogger('auto-blacklist');

export type InvalidResultFate = 'added' | 'held' | 'counted';

const HOUR_MS = 3_600_000;

/**
 * Every call a trunk carried (any outcome), for the rate of invalid results: the call activity
 * counts it when the call has ended.
 */
export async function countTrunkCall(db: Queryable, trunk: string | null, atMs: number): Promise<void> {
  await countTrunkHour(db, trunk ?? DEFAULT_TRUNK, new Date(atMs).toISOString(), 'calls');
}

/** One more call, or invalid-number result, in the trunk's hour of `at`. */
async function countTrunkHour(db: Queryable, trunk: string, at: string, column: 'calls' | 'invalid'): Promise<void> {
  await db.query(
    `INSERT INTO trunk_result_hour (trunk, hour, ${column}) VALUES ($1, date_trunc('hour', $2::timestamptz), 1)
     ON CONFLICT (trunk, hour) DO UPDATE SET ${column} = trunk_result_hour.${column} + 1`, [trunk, at]);
}

/** The trunk of a campaign's calls and its rule (the defaults where the trunk sets none, or sets a broken one). */
async function readTrunkRule(db: Queryable, campaignId: string): Promise<{ trunk: string; rule: AutoBlacklistRule }> {
  const { rows } = await db.query<{ trunk: string | null; auto_blacklist: unknown }>(
    'SELECT c.trunk, t.auto_blacklist FROM campaign c LEFT JOIN trunk t ON t.name = c.trunk WHERE c.id = $1', [campaignId]);
  const trunk = rows[0]?.trunk ?? DEFAULT_TRUNK;
  const parsed = autoBlacklistRuleSchema.safeParse(rows[0]?.auto_blacklist ?? {});
  if (!parsed.success) {
    log.warn({ trunk, issues: parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`) },
      'trunk.auto_blacklist is not a valid rule: the default rule applies');
  }
  return { trunk, rule: parsed.success ? parsed.data : DEFAULT_AUTO_BLACKLIST_RULE };
}

/**
 * The record step's handling of an invalid-number result, in its transaction: counted for the
 * trunk's rate, the breaker judged, and the number added to the blacklist (citing the attempt)
 * only when the breaker is closed and the trunk's rule is met. Returns what became of it.
 */
export async function blacklistInvalidNumber(db: Queryable, a: AttemptRecord, attemptId: number): Promise<InvalidResultFate> {
  const r = a.result;
  const sipCode = r.sipCode ?? null;
  const cause = r.hangupCause ?? null;
  const atMs = Date.parse(r.endedAt);
  const at = new Date(atMs).toISOString();
  const { trunk, rule } = await readTrunkRule(db, a.campaignId);

  await countTrunkHour(db, trunk, at, 'invalid');
  const breaker = await judgeTrunkBreaker(db, trunk, rule, atMs);

  let fate: InvalidResultFate;
  if (breaker.open) {
    fate = 'held';
  } else if (!resultMayBlacklist(rule, { sipCode, cause })) {
    fate = 'counted';
  } else {
    const { rows } = await db.query<{ n: number }>(
      `SELECT count(DISTINCT day)::int AS n FROM trunk_invalid_result
        WHERE trunk = $1 AND e164 = $2 AND day <> ($3::timestamptz AT TIME ZONE 'UTC')::date`, [trunk, a.e164, at]);
    fate = provedInvalid(rule, rows[0].n) ? 'added' : 'counted';
  }
  if (fate === 'added') {
    const sip = sipCode === null ? '' : `, SIP ${sipCode}`;
    await addAutomaticEntry(db, a.e164, `invalid number: hangup cause ${cause ?? 'unknown'}${sip} (trunk ${trunk})`, attemptId);
  }
  await db.query(
    `INSERT INTO trunk_invalid_result (trunk, e164, day, sip_code, cause, attempt_id, fate, at)
     VALUES ($1, $2, ($3::timestamptz AT TIME ZONE 'UTC')::date, $4, $5, $6, $7, $3)`,
    [trunk, a.e164, at, sipCode, cause, attemptId, fate]);
  if (fate !== 'counted') {
    await db.query(
      `INSERT INTO trunk_blacklist_day (trunk, day, added, held)
       VALUES ($1, ($2::timestamptz AT TIME ZONE 'UTC')::date, $3, $4)
       ON CONFLICT (trunk, day) DO UPDATE SET added = trunk_blacklist_day.added + EXCLUDED.added, held = trunk_blacklist_day.held + EXCLUDED.held`,
      [trunk, at, fate === 'added' ? 1 : 0, fate === 'held' ? 1 : 0]);
  }
  autoBlacklistTotal.inc({ trunk, fate });
  return fate;
}

/**
 * Judges the trunk's breaker on the rate of the recent window against the usual days before
 * it, and writes its state; the change (never each judgement) is logged and shown in the
 * dialer_auto_blacklist_suspended gauge. The row lock makes concurrent judges take turns.
 */
async function judgeTrunkBreaker(db: Queryable, trunk: string, rule: AutoBlacklistRule, atMs: number): Promise<BreakerVerdict> {
  const s = rule.breaker;
  const windowStart = new Date(atMs - s.windowMinutes * 60_000).toISOString();
  const usualStart = new Date(atMs - s.windowMinutes * 60_000 - s.usualDays * 24 * HOUR_MS).toISOString();
  // Hour buckets: the window takes every hour it touches (up to an hour more than its length).
  const { rows } = await db.query<{ recent_calls: number; recent_invalid: number; usual_calls: number; usual_invalid: number }>(
    `SELECT coalesce(sum(calls) FILTER (WHERE hour >= date_trunc('hour', $2::timestamptz)), 0)::int AS recent_calls,
            coalesce(sum(invalid) FILTER (WHERE hour >= date_trunc('hour', $2::timestamptz)), 0)::int AS recent_invalid,
            coalesce(sum(calls) FILTER (WHERE hour < date_trunc('hour', $2::timestamptz)), 0)::int AS usual_calls,
            coalesce(sum(invalid) FILTER (WHERE hour < date_trunc('hour', $2::timestamptz)), 0)::int AS usual_invalid
       FROM trunk_result_hour WHERE trunk = $1 AND hour >= date_trunc('hour', $3::timestamptz)`,
    [trunk, windowStart, usualStart]);
  const w = rows[0];
  // The invalid results are counted when recorded, the calls when they end: a result may be
  // recorded before its call is counted, so a window has at least as many calls as results.
  const recent: RateWindow = { calls: Math.max(w.recent_calls, w.recent_invalid), invalid: w.recent_invalid };
  const verdict = judgeBreaker(s, recent, { calls: w.usual_calls, invalid: w.usual_invalid });

  const before = await db.query<{ open: boolean }>('SELECT open FROM trunk_blacklist_breaker WHERE trunk = $1 FOR UPDATE', [trunk]);
  const wasOpen = before.rows[0]?.open ?? false;
  if (before.rows.length === 0 || wasOpen !== verdict.open) {
    await db.query(
      `INSERT INTO trunk_blacklist_breaker (trunk, open, since, rate_now, rate_usual, calls_now, invalid_now)
       VALUES ($1, $2, $3, $4, $5, $6, $7)
       ON CONFLICT (trunk) DO UPDATE SET open = EXCLUDED.open, since = EXCLUDED.since, rate_now = EXCLUDED.rate_now,
         rate_usual = EXCLUDED.rate_usual, calls_now = EXCLUDED.calls_now, invalid_now = EXCLUDED.invalid_now`,
      [trunk, verdict.open, new Date(atMs).toISOString(), verdict.rateNow, verdict.rateUsual, recent.calls, recent.invalid]);
  }
  autoBlacklistSuspended.set({ trunk }, verdict.open ? 1 : 0);
  if (wasOpen !== verdict.open) {
    const facts = {
      trunk, rateNow: round(verdict.rateNow), rateUsual: verdict.rateUsual === null ? null : round(verdict.rateUsual),
      threshold: round(verdict.threshold), calls: recent.calls, invalid: recent.invalid, windowMinutes: s.windowMinutes,
    };
    if (verdict.open) log.warn(facts, 'automatic blacklisting suspended for the trunk: its rate of invalid results jumped far above its usual rate; results are held, not added');
    else log.info(facts, 'automatic blacklisting resumed for the trunk: its rate of invalid results is back near its usual rate');
  }
  return verdict;
}

const round = (x: number): number => Math.round(x * 1000) / 1000;

export interface TrunkBlacklistStatus {
  trunk: string;
  /** Automatic blacklisting is suspended (the breaker is open) since `since`. */
  suspended: boolean;
  since: string;
  rateNow: number;
  rateUsual: number | null;
  /** Today's (UTC) automatic additions and the results held back. */
  addedToday: number;
  heldToday: number;
}

/** Every trunk's automatic blacklisting as judged last, with today's counts: "why was nothing blacklisted?". */
export async function readTrunkBlacklistStatus(db: Queryable, nowMs: number): Promise<TrunkBlacklistStatus[]> {
  const { rows } = await db.query<{
    trunk: string; open: boolean; since: Date; rate_now: number; rate_usual: number | null; added: number | null; held: number | null;
  }>(
    `SELECT b.trunk, b.open, b.since, b.rate_now, b.rate_usual, d.added, d.held
       FROM trunk_blacklist_breaker b
       LEFT JOIN trunk_blacklist_day d ON d.trunk = b.trunk AND d.day = ($1::timestamptz AT TIME ZONE 'UTC')::date
      ORDER BY b.trunk`, [new Date(nowMs).toISOString()]);
  return rows.map((r) => ({
    trunk: r.trunk, suspended: r.open, since: r.since.toISOString(), rateNow: r.rate_now, rateUsual: r.rate_usual,
    addedToday: r.added ?? 0, heldToday: r.held ?? 0,
  }));
}

/** The trunks whose automatic blacklisting is suspended now, among those a campaign's calls use. */
export async function readSuspendedTrunkOfCampaign(db: Queryable, campaignId: string): Promise<string | null> {
  const { rows } = await db.query<{ trunk: string }>(
    `SELECT b.trunk FROM campaign c JOIN trunk_blacklist_breaker b ON b.trunk = coalesce(c.trunk, $2)
      WHERE c.id = $1 AND b.open`, [campaignId, DEFAULT_TRUNK]);
  return rows[0]?.trunk ?? null;
}
