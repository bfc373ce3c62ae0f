import type { DateTime } from 'luxon';
import type { Queryable } from './transaction';
import type { Caps, PeriodKind } from '../../domain/legalPolicy';

// The caps a person and a number have against their calls. The counting is done by gate_check
// (schema/migrations/1764320000000_gate-function.sql, adapters/postgres/gateCheck.ts) over
// call_reservation, which it writes in the same statement right before each call, under advisory
// locks on the person and the number: a count and the reservation that follows it cannot be
// split by another worker. Here: what the counts mean, and the slot's end after the call.
type Period = keyof Caps;

/** Calls that count in each period (reservations not given back, of every campaign). */
export type CapCounts = Record<Period, number>;

export interface CapCheck {
  scope: 'person' | 'number';
  period: Period;
  used: number;
  cap: number;
}

const PERIODS: Period[] = ['day', 'week', 'month'];

/** Every cap set, person first, then number, day to month, with its count. */
export function capChecks(used: { person: CapCounts; number: CapCounts }, personCaps: Caps, numberCaps: Caps): CapCheck[] {
  const checks: CapCheck[] = [];
  for (const [scope, caps] of [['person', personCaps], ['number', numberCaps]] as const) {
    for (const period of PERIODS) {
      const cap = caps[period];
      if (cap !== null) checks.push({ scope, period, used: used[scope][period], cap });
    }
  }
  return checks;
}

/**
 * When the call may be placed again as far as the caps go: when every full cap has freed a slot,
 * the latest of them. A calendar period frees at its next start in the subscriber's zone
 * (`localDay` is the local day of `nowMs`); a rolling one when its cap-th most recent call leaves
 * it, which gate_check computed (`rollingFreeAtMs`).
 */
export function capSlotFreesAt(
  full: readonly CapCheck[], period: PeriodKind, localDay: DateTime, nowMs: number, rollingFreeAtMs: number | null,
): number {
  if (period === 'rolling') return Math.max(nowMs, rollingFreeAtMs ?? nowMs);
  let at = nowMs;
  for (const c of full) at = Math.max(at, localDay.startOf(c.period).plus({ [`${c.period}s`]: 1 }).toMillis());
  return at;
}

/** After the call: its slot counts, or is given back when the policy does not count it. */
export async function settleCapSlot(db: Queryable, channelId: string, release: boolean, attemptId: number): Promise<void> {
  await db.query(
    `UPDATE call_reservation SET state = $2, attempt_id = $3 WHERE channel_id = $1 AND state = 'reserved'`,
    [channelId, release ? 'released' : 'counted', attemptId]);
}

/** The slot of a call that was never placed (the campaign stopped, the trunk was down): given back, as if never taken. */
export async function releaseCapSlot(db: Queryable, channelId: string): Promise<void> {
  await db.query(`UPDATE call_reservation SET state = 'released' WHERE channel_id = $1 AND state = 'reserved'`, [channelId]);
}
