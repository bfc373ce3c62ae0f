import { z } from 'zod';
import { nextAllowedMomentIn } from '../callingSchedule';
import { zoned } from '../timeWindow';
import { REACHED, attemptsOn, type AnswerHistory, type HourCounts, type Strategy, type StrategyInput } from './strategy';

// bestHour v1: people answer at their own hours (a worker in the evening, a pensioner in the
// morning), and a retry at the wrong hour is a wasted call and a cap slot. From the attempt
// rows (counted by an activity, handed in as `answerHistory`) it estimates the answer rate of
// each local hour of the day for the number, shrunk towards its prefix's and then the
// campaign's rate (Beta priors: a hunch from a few calls weighs little against many), and
// puts each retry at the allowed moment with the best expected rate within the next days.
// An upper confidence bound adds a bonus to hours the prefix has rarely been called at, so
// the estimates keep learning instead of freezing on the first good hour. Pure and
// deterministic: no clock but input.nowMs, no randomness.

const HOUR_MS = 3_600_000;
const DAY_SECONDS = 86_400;
const HOURS = 24;

const bestHourParams = z.object({
  horizonDays: z.number().int('must be a whole number').min(1).max(14).default(3)
    .describe('A retry is put at the best allowed moment within this many days.'),
  minIntervalSeconds: z.number().int('must be a whole number').min(0).max(7 * DAY_SECONDS).default(3600)
    .describe('No retry of a number sooner than this after its last attempt.'),
  busyIntervalSeconds: z.number().int('must be a whole number').min(0).max(DAY_SECONDS).default(900)
    .describe('A busy line means someone is there: it is retried after this, not at the best hour.'),
  explorationWeight: z.number().min(0).max(5).default(0.1)
    .describe('Weight of the bonus for hours seldom tried (0: always the best estimate so far).'),
  priorStrength: z.number().min(0.5).max(100).default(4)
    .describe('How many calls a level\'s rate is worth as the prior of the level below it.'),
  maxAttemptsPerNumber: z.number().int('must be a whole number').min(1).max(50).default(4),
  maxAttemptsPerContact: z.number().int('must be a whole number').min(1).max(100).default(8),
  lookbackDays: z.number().int('must be a whole number').min(1).max(365).default(60)
    .describe('Attempts older than this are not counted.'),
  prefixDigits: z.number().int('must be a whole number').min(1).max(12).default(4)
    .describe('Numbers sharing this many leading digits share a prefix estimate.'),
}).strict();

export type BestHourParams = z.output<typeof bestHourParams>;

/** The blended answer rate of each local hour, and how often the number's prefix was tried then. */
export interface HourRates {
  rate: number[];
  prefixAttempts: number[];
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
  const prefixAttempts: number[] = [];
  for (let h = 0; h < HOURS; h++) {
    rate.push(shrink(number, h, shrink(prefix, h, shrink(campaign, h, overall))));
    prefixAttempts.push(at(prefix.attempts, h));
  }
  return { rate, prefixAttempts };
}

/**
 * The moments a retry may be put at: the first allowed moment of every local hour from
 * `fromMs` to `untilMs`, in all of the number's zones (every hour when the caller gave no
 * schedule). The workflow's wait step still keeps to the schedule of the moment.
 */
export function candidateMoments(input: StrategyInput, zones: readonly string[], fromMs: number, untilMs: number): number[] {
  const out: number[] = [];
  const zone = zones[0] ?? 'UTC';
  let t = fromMs;
  // At most one candidate per hour: the loop ends within the horizon's hours.
  for (let i = 0; i <= (untilMs - fromMs) / HOUR_MS + 1 && t <= untilMs; i++) {
    const m = input.schedule && zones.length > 0
      ? nextAllowedMomentIn(input.schedule, zones, t, Math.ceil((untilMs - t) / (24 * HOUR_MS)) + 1)
      : t;
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
 * The retry moment: the candidate whose hour scores best (the blended rate plus the
 * exploration bonus of an upper confidence bound on the prefix's calls at that hour), the
 * earliest of equals.
 */
export function bestMoment(params: BestHourParams, input: StrategyInput, position: number): number {
  const from = input.nowMs + params.minIntervalSeconds * 1000;
  const zones = input.numbers.find((n) => n.position === position)?.zones ?? [];
  const zone = zones[0] ?? 'UTC';
  const candidates = candidateMoments(input, zones, from, from + params.horizonDays * DAY_SECONDS * 1000);
  if (candidates.length === 0) return from; // no allowed moment in the horizon: the wait step decides
  const { rate, prefixAttempts } = hourlyAnswerRates(input.answerHistory?.find((h) => h.position === position), params.priorStrength);
  const tried = Math.log(1 + sum(prefixAttempts));
  const score = (h: number): number => rate[h] + params.explorationWeight * Math.sqrt(tried / (1 + prefixAttempts[h]));
  let best = candidates[0];
  let bestScore = score(localHour(best, zone));
  for (const m of candidates.slice(1)) {
    const s = score(localHour(m, zone));
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
  params: bestHourParams,
  answerHistory: (p) => ({ lookbackDays: p.lookbackDays, prefixDigits: p.prefixDigits }),
  next(params, input) {
    const { lastOutcome: outcome, position } = input;
    if (REACHED.has(outcome)) return { kind: 'done' };
    if (outcome === 'machine' && input.campaign.machineAction === 'leave_message') return { kind: 'done' };
    if (input.attempts.length >= params.maxAttemptsPerContact) return { kind: 'give_up', reason: 'contact_attempts_exhausted' };
    if (outcome === 'invalid_number') return { kind: 'next_number' };
    if (attemptsOn(input, position).length >= params.maxAttemptsPerNumber) return { kind: 'next_number' };
    if (outcome === 'busy') return { kind: 'call', position, notBefore: input.nowMs + params.busyIntervalSeconds * 1000 };
    return { kind: 'call', position, notBefore: bestMoment(params, input, position) };
  },
};
