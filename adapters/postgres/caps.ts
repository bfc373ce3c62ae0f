import { DateTime } from 'luxon';
import type { Queryable } from './transaction';
import type { Caps, PeriodKind } from '../../domain/legalPolicy';

// Counts the calls a person and a number have had against their caps. The counting reads
// call_reservation, which the gate writes in the same transaction right before each call, so
// a count and the reservation that follows it cannot be split by another worker (the gate
// holds advisory locks on the person and the number while it does both).
type Period = keyof Caps;

export interface CapCheck {
  scope: 'person' | 'number';
  period: Period;
  used: number;
  cap: number;
}

export interface CapVerdict {
  allowed: boolean;
  checks: CapCheck[];
  /** When the first exceeded cap frees a slot again. */
  retryAtMs: number | null;
}

export interface CapQuestion {
  personKey: string;
  e164: string;
  /** The subscriber's zone whose calendar the periods follow. */
  zone: string;
  nowMs: number;
  personCaps: Caps;
  numberCaps: Caps;
  period: PeriodKind;
}

const PERIODS: Period[] = ['day', 'week', 'month'];
const ROLLING_MS: Record<Period, number> = { day: 86_400_000, week: 7 * 86_400_000, month: 30 * 86_400_000 };

export async function countCaps(db: Queryable, q: CapQuestion): Promise<CapVerdict> {
  const now = DateTime.fromMillis(q.nowMs, { zone: q.zone });
  const calendarStart: Record<Period, DateTime> = {
    day: now.startOf('day'), week: now.startOf('week'), month: now.startOf('month'),
  };
  const rolling = q.period === 'rolling';
  const { rows } = await db.query(
    rolling
      ? `SELECT scope,
                count(*) FILTER (WHERE reserved_at > $3::timestamptz - interval '1 day')::int AS day,
                count(*) FILTER (WHERE reserved_at > $3::timestamptz - interval '7 days')::int AS week,
                count(*)::int AS month
           FROM (SELECT 'person' AS scope, reserved_at FROM call_reservation
                  WHERE person_key = $1 AND state <> 'released' AND reserved_at > $3::timestamptz - interval '30 days'
                 UNION ALL
                 SELECT 'number', reserved_at FROM call_reservation
                  WHERE e164 = $2 AND state <> 'released' AND reserved_at > $3::timestamptz - interval '30 days') r
          GROUP BY scope`
      : `SELECT scope,
                count(*) FILTER (WHERE local_date = $3::date)::int AS day,
                count(*) FILTER (WHERE local_date >= $4::date)::int AS week,
                count(*) FILTER (WHERE local_date >= $5::date)::int AS month
           FROM (SELECT 'person' AS scope, local_date FROM call_reservation
                  WHERE person_key = $1 AND state <> 'released' AND local_date >= least($4::date, $5::date)
                 UNION ALL
                 SELECT 'number', local_date FROM call_reservation
                  WHERE e164 = $2 AND state <> 'released' AND local_date >= least($4::date, $5::date)) r
          GROUP BY scope`,
    rolling
      ? [q.personKey, q.e164, new Date(q.nowMs).toISOString()]
      : [q.personKey, q.e164, now.toISODate(), calendarStart.week.toISODate(), calendarStart.month.toISODate()],
  );
  const used = (scope: string, period: Period): number => rows.find((r) => r.scope === scope)?.[period] ?? 0;

  const checks: CapCheck[] = [];
  for (const [scope, caps] of [['person', q.personCaps], ['number', q.numberCaps]] as const) {
    for (const period of PERIODS) {
      const cap = caps[period];
      if (cap !== null) checks.push({ scope, period, used: used(scope, period), cap });
    }
  }
  const exceeded = checks.filter((c) => c.used >= c.cap);
  if (exceeded.length === 0) return { allowed: true, checks, retryAtMs: null };

  // The call may be placed again when every exceeded cap has freed a slot: the latest of them.
  let retryAtMs = q.nowMs;
  for (const c of exceeded) {
    const at = rolling
      ? await rollingSlotFreesAt(db, c, q)
      : calendarStart[c.period].plus({ [`${c.period}s`]: 1 }).toMillis();
    retryAtMs = Math.max(retryAtMs, at);
  }
  return { allowed: false, checks, retryAtMs };
}

/** In a rolling period a slot frees when the cap-th most recent counted call leaves the period. */
async function rollingSlotFreesAt(db: Queryable, c: CapCheck, q: CapQuestion): Promise<number> {
  if (c.cap === 0) return q.nowMs + ROLLING_MS[c.period];
  const column = c.scope === 'person' ? 'person_key' : 'e164';
  const { rows } = await db.query<{ reserved_at: Date }>(
    `SELECT reserved_at FROM call_reservation
      WHERE ${column} = $1 AND state <> 'released' AND reserved_at > $2::timestamptz - make_interval(secs => $3::double precision / 1000)
      ORDER BY reserved_at DESC OFFSET $4 LIMIT 1`,
    [c.scope === 'person' ? q.personKey : q.e164, new Date(q.nowMs).toISOString(), ROLLING_MS[c.period], c.cap - 1],
  );
  return rows.length ? rows[0].reserved_at.getTime() + ROLLING_MS[c.period] : q.nowMs;
}

/**
 * Serialises every check-and-reserve for this person and this number, across workers and
 * campaigns, until the transaction ends; person first, then number, so two gates never wait
 * on each other in opposite orders.
 */
export async function lockPersonAndNumber(db: Queryable, personKey: string, e164: string): Promise<void> {
  await db.query('SELECT pg_advisory_xact_lock(hashtextextended($1, 0))', [`person:${personKey}`]);
  await db.query('SELECT pg_advisory_xact_lock(hashtextextended($1, 0))', [`number:${e164}`]);
}

export interface CapReservation {
  channelId: string;
  personKey: string;
  e164: string;
  campaignId: string;
  contactId: number;
  /** The policy's kind of call (what the caps count). */
  kind: string;
  reservedAt: string;
  /** The subscriber's local date of the call. */
  localDate: string;
}

/** The cap slot of the call about to be placed; once per channel. */
export async function reserveCapSlot(db: Queryable, r: CapReservation): Promise<void> {
  await db.query(
    `INSERT INTO call_reservation (channel_id, person_key, e164, campaign_id, contact_id, kind, reserved_at, local_date)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8)
     ON CONFLICT (channel_id) DO NOTHING`,
    [r.channelId, r.personKey, r.e164, r.campaignId, r.contactId, r.kind, r.reservedAt, r.localDate],
  );
}

/** After the call: its slot counts, or is given back when the policy does not count it. */
export async function settleCapSlot(db: Queryable, channelId: string, release: boolean, attemptId: number): Promise<void> {
  await db.query(
    `UPDATE call_reservation SET state = $2, attempt_id = $3 WHERE channel_id = $1 AND state = 'reserved'`,
    [channelId, release ? 'released' : 'counted', attemptId]);
}
