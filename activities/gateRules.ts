import type { DateTime } from 'luxon';
import { readCampaignRulesWithDigest, type CampaignRules } from '../adapters/postgres/campaignRules';
import type { Queryable } from '../adapters/postgres/transaction';
import { allowedOnLocalDay } from '../domain/callingSchedule';
import { InvalidWindowError, zoned, type Interval } from '../domain/timeWindow';

// The campaign rules the gate derives its inputs from, kept by the worker between calls so that a
// check costs one round trip (activities/gate.ts). A copy is good for one local day of the
// subscriber's zones: the calendar days it holds are that day's neighbourhood, and the hours of a
// local day are the same all day. It is never trusted blindly: the gate's statement compares its
// digest with the campaign's and does nothing when they differ, and the gate reads the rules again.

/** Calendar days read after the local date: the neighbourhood every candidate zone's today is in. */
export const GATE_CALENDAR_DAYS = 2;

export interface GateRules {
  rules: CampaignRules;
  digest: string;
  /** The local date in the first zone, from which the calendar days were read. */
  calendarFrom: string;
  /** The local day in each zone; the first zone's is the one calendar caps count by. */
  localDays: DateTime[];
  /** The first zone's week's and month's first days. */
  weekStart: string;
  monthStart: string;
  /** The moments this copy answers for: the local day is the same in every zone. */
  fromMs: number;
  untilMs: number;
  /** The hours of the day in each zone, worked out on first use. */
  hours: Interval[][] | null;
}

/** Copies kept: a campaign per set of zones its contacts are in. */
const MAX_KEPT = 1000;
const kept = new Map<string, GateRules>();

/** The rules for a check at `nowMs`: the kept copy when it answers for that moment, else read. */
export async function gateRulesFor(
  db: Queryable, campaignId: string, zones: readonly string[], nowMs: number, opts: { reread?: boolean } = {},
): Promise<GateRules> {
  const key = `${campaignId}\n${zones.join(',')}`;
  const copy = kept.get(key);
  if (copy && !opts.reread && copy.fromMs <= nowMs && nowMs < copy.untilMs) return copy;
  if (zones.length === 0) throw new InvalidWindowError('no time zone to read the schedule in');
  const days = zones.map((zone) => zoned(nowMs, zone).startOf('day'));
  const calendarFrom = days[0].toISODate() as string;
  const { rules, digest } = await readCampaignRulesWithDigest(db, campaignId, calendarFrom, GATE_CALENDAR_DAYS);
  const fresh: GateRules = {
    rules, digest, calendarFrom, hours: null, localDays: days,
    weekStart: days[0].startOf('week').toISODate() as string,
    monthStart: days[0].startOf('month').toISODate() as string,
    fromMs: Math.max(...days.map((d) => d.toMillis())),
    untilMs: Math.min(...days.map((d) => d.endOf('day').toMillis() + 1)),
  };
  kept.delete(key);
  if (kept.size >= MAX_KEPT) kept.delete(kept.keys().next().value as string);
  kept.set(key, fresh);
  return fresh;
}

/**
 * Whether `nowMs` (a moment the copy answers for) is inside the calling hours in every zone: the
 * same answer as isAllowedAt (domain/callingSchedule.ts), whose intervals depend only on the local
 * date, worked out once per day instead of once per call.
 */
export function hoursAllowedAt(g: GateRules, nowMs: number): boolean {
  g.hours ??= g.localDays.map((day) => allowedOnLocalDay(g.rules.schedule, day));
  return g.hours.every((intervals) => intervals.some(([start, end]) => start <= nowMs && nowMs < end));
}
