import { z } from 'zod';
import { isAllowedAt, nextAllowedMomentIn } from '../callingSchedule';
import { zoned } from '../timeWindow';
import {
  DAY_SECONDS, REACHED, attemptsOn, builtOnFirstUse, callableBefore, lastAttempt, lifetimeEndMs, maxContactDays, refuseWaitsBeyondLifetime, wholeNumber,
  type AnswerHistory, type HourCounts, type RetryWait, type Strategy, type StrategyInput,
} from './strategy';

// bestHour v1: people answer at their own hours (a worker in the evening, a pensioner in the
// morning), and a retry at the wrong hour is a wasted call and a cap slot. From the attempt
// rows (counted by an activity, handed in as `answerHistory`) it estimates the answer rate of
// each local hour of the day for the number, shrunk towards its prefix's and then the
// campaign's rate (Beta priors: a hunch from a few calls weighs little against many), and
// puts each retry at the allowed moment with the best expected rate within the next days.
//
// It explores by Thompson sampling made deterministic: each hour's score is a draw from its
// estimate's uncertainty (wide for hours seldom tried, narrow for hours tried often), the
// draw's randomness a hash of the contact's own attempt times. Hours nobody has tried get
// tried, by some contacts and not all at once (contacts deciding together on the same counts
// spread out instead of herding to one hour), and the estimates do not freeze. No clock but
// input.nowMs, no Math.random: a replay decides the same.
//
// `maxContactDays` came after contacts had decided with v1: optional and, left out, no limit
// (no candidate is cut, no key is stored), so campaigns without it decide exactly as before
// and this is still version 1.

const HOUR_MS = 3_600_000;
const HOURS = 24;

const bestHourShape = () => z.object({
  horizonDays: wholeNumber(1, 14).default(3)
    .describe('A retry is put at the best allowed moment within this many days.'),
  minIntervalSeconds: wholeNumber(0, 7 * DAY_SECONDS).default(3600)
    .describe('No retry of a number sooner than this after its last attempt.'),
  busyIntervalSeconds: wholeNumber(0, DAY_SECONDS).default(900)
    .describe('A busy line means someone is there: it is retried after this, not at the best hour.'),
  explorationWeight: z.number().min(0).max(5).default(1)
    .describe('Width of the exploring draw in standard deviations of the estimate (0: always the best estimate so far; 1: Thompson sampling).'),
  priorStrength: z.number().min(0.5).max(100).default(4)
    .describe('How many calls a level\'s rate is worth as the prior of the level below it.'),
  maxAttemptsPerNumber: wholeNumber(1, 50).default(4),
  maxAttemptsPerContact: wholeNumber(1, 100).default(8),
  lookbackDays: wholeNumber(1, 365).default(60)
    .describe('Attempts older than this are not counted.'),
  prefixDigits: wholeNumber(1, 12).default(4)
    .describe('Numbers sharing this many leading digits share a prefix estimate.'),
  maxContactDays: maxContactDays(),
}).strict();

export type BestHourParams = z.output<ReturnType<typeof bestHourShape>>;

const bestHourParams = builtOnFirstUse(() => bestHourShape().superRefine((p, ctx) => refuseWaitsBeyondLifetime(p.maxContactDays, retryWaits(p), ctx)));

/** The waits before a retry, each with its parameter (none when a number is called once). */
function retryWaits(params: BestHourParams): RetryWait[] {
  if (params.maxAttemptsPerNumber < 2) return [];
  return [
    { seconds: params.minIntervalSeconds, source: { param: ['minIntervalSeconds'] } },
    { seconds: params.busyIntervalSeconds, source: { param: ['busyIntervalSeconds'] } },
  ];
}

/** The blended answer rate of each local hour, and how many calls it stands on. */
export interface HourRates {
  rate: number[];
  /** Calls of the number and its prefix at that hour, plus the prior's weight. */
  weight: number[];
}

const sum = (xs: readonly number[]): number => xs.reduce((s, x) => s + x, 0);
const at = (xs: readonly number[], h: number): number => xs[h] ?? 0;

/**
 * Answer rates by local hour: the campaign's overall rate (Beta(1,1) prior), then per level a
 * Beta posterior whose prior is the level above with `strength` pseudo-calls:
 * campaign hour ← campaign overall, prefix hour ← campaign hour, number hour ← prefix hour.
 * A number nobody has called gets its prefix's rate; a prefix without calls, the campaign's.
 */
export function hourlyAnswerRates(history: AnswerHistory | undefined, strength: number): HourRates {
  const empty: HourCounts = { attempts: [], answered: [] };
  const { number, prefix, campaign } = history ?? { number: empty, prefix: empty, campaign: empty };
  const overall = (sum(campaign.answered) + 1) / (sum(campaign.attempts) + 2);
  const shrink = (c: HourCounts, h: number, prior: number): number =>
    (at(c.answered, h) + strength * prior) / (at(c.attempts, h) + strength);
  const rate: number[] = [];
  const weight: number[] = [];
  for (let h = 0; h < HOURS; h++) {
    rate.push(shrink(number, h, shrink(prefix, h, shrink(campaign, h, overall))));
    weight.push(at(number.attempts, h) + at(prefix.attempts, h) + strength);
  }
  return { rate, weight };
}

/**
 * The moments a retry may be put at: the first allowed moment of every local hour from
 * `fromMs` to `untilMs`, in all of the number's zones (every hour when the caller gave no
 * schedule). The workflow's wait step still keeps to the schedule of the moment.
 */
export function candidateMoments(input: StrategyInput, zones: readonly string[], fromMs: number, untilMs: number): number[] {
  const out: number[] = [];
  const zone = zones[0] ?? 'UTC';
  const schedule = zones.length > 0 ? input.schedule : undefined;
  let t = fromMs;
  // At most one candidate per hour: the loop ends within the horizon's hours.
  for (let i = 0; i <= (untilMs - fromMs) / HOUR_MS + 1 && t <= untilMs; i++) {
    // An hour inside an allowed stretch is read off one day's hours; the search for the next
    // stretch (days ahead) runs only where one ends.
    const m = !schedule || isAllowedAt(schedule, zones, t)
      ? t
      : nextAllowedMomentIn(schedule, zones, t, Math.ceil((untilMs - t) / (24 * HOUR_MS)) + 1);
    if (m === null || m > untilMs) break;
    out.push(m);
    t = zoned(m, zone).startOf('hour').plus({ hours: 1 }).toMillis();
  }
  return out;
}

/** The local hour (0–23) of a moment in a zone. */
export function localHour(ms: number, zone: string): number {
  return zoned(ms, zone).hour;
}

/**
 * A deterministic uniform number in (0, 1) for a key: FNV-1a, then a finalising mix. The
 * strategy's only source of variety, so a replay draws the same.
 */
function uniform(key: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < key.length; i++) {
    h ^= key.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  h = Math.imul(h ^ (h >>> 16), 0x85ebca6b);
  h = Math.imul(h ^ (h >>> 13), 0xc2b2ae35);
  h ^= h >>> 16;
  return ((h >>> 0) + 0.5) / 4294967296;
}

/** A standard normal draw from two uniforms (Box–Muller). */
function normal(key: string): number {
  return Math.sqrt(-2 * Math.log(uniform(`${key}:a`))) * Math.cos(2 * Math.PI * uniform(`${key}:b`));
}

/**
 * Each hour's score: its rate plus `explorationWeight` standard deviations of the estimate
 * (as a Beta of that weight) times a normal draw seeded by the contact's attempts and the hour.
 */
export function hourScores(params: BestHourParams, input: StrategyInput, position: number): number[] {
  const { rate, weight } = hourlyAnswerRates(input.answerHistory?.find((h) => h.position === position), params.priorStrength);
  const seed = `${position}:${input.attempts.map((a) => a.atMs).join(',')}`;
  return rate.map((m, h) => {
    if (params.explorationWeight === 0) return m;
    const sd = Math.sqrt((m * (1 - m)) / (weight[h] + 1));
    return m + params.explorationWeight * sd * normal(`${seed}:${h}`);
  });
}

/**
 * The retry moment: the candidate whose local hour scores best, the earliest of equals. Only
 * candidates before `endMs` (the contact's lifetime) count; null when none is left there.
 */
export function bestMoment(params: BestHourParams, input: StrategyInput, position: number, endMs = Infinity): number | null {
  const from = input.nowMs + params.minIntervalSeconds * 1000;
  const zones = input.numbers.find((n) => n.position === position)?.zones ?? [];
  const zone = zones[0] ?? 'UTC';
  const until = Math.min(from + params.horizonDays * DAY_SECONDS * 1000, endMs - 1);
  const candidates = from > until ? [] : candidateMoments(input, zones, from, until);
  if (candidates.length === 0) {
    // No allowed moment in the horizon: the wait step decides; within a lifetime, when it ends.
    return endMs === Infinity ? from : null;
  }
  const score = hourScores(params, input, position);
  let best = candidates[0];
  let bestScore = score[localHour(best, zone)];
  for (const m of candidates.slice(1)) {
    const s = score[localHour(m, zone)];
    if (s > bestScore + 1e-12) {
      best = m;
      bestScore = s;
    }
  }
  return best;
}

export const bestHourV1: Strategy<BestHourParams> = {
  name: 'bestHour',
  version: 1,
  get params() { return bestHourParams(); },
  answerHistory: (p) => ({ lookbackDays: p.lookbackDays, prefixDigits: p.prefixDigits }),
  next(params, input) {
    const { outcome, position } = lastAttempt(input);
    if (REACHED.has(outcome)) return { kind: 'done' };
    if (outcome === 'machine' && input.campaign.machineAction === 'leave_message') return { kind: 'done' };
    if (input.attempts.length >= params.maxAttemptsPerContact) return { kind: 'give_up', reason: 'contact_attempts_exhausted' };
    const lifetimeEnd = lifetimeEndMs(input, params.maxContactDays);
    const lifetimeOver = { kind: 'give_up', reason: 'contact_lifetime_exhausted' } as const;
    if (input.nowMs >= lifetimeEnd) return lifetimeOver;
    if (outcome === 'invalid_number') return { kind: 'next_number' };
    if (attemptsOn(input, position).length >= params.maxAttemptsPerNumber) return { kind: 'next_number' };
    const notBefore = outcome === 'busy'
      ? input.nowMs + params.busyIntervalSeconds * 1000
      : bestMoment(params, input, position, lifetimeEnd);
    if (notBefore === null || !callableBefore(input, position, notBefore, lifetimeEnd)) return lifetimeOver;
    return { kind: 'call', position, notBefore };
  },
  retryWaits: (params) => retryWaits(params),
};
