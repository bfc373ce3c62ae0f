import { DateTime } from 'luxon';
import type { Behaviour } from './subscriberBehaviour';

// Subscribers who answer at their own hours: a worker mostly in the evening, a pensioner in
// the morning. A number matching a profile answers with the probability of the local hour the
// call arrives at (read on the simulator's clock in the profile's zone), and otherwise gives the
// profile's unanswered behaviour. The draw is a hash of the seed, the number and how many calls
// it had before, so a run repeats exactly for a seed whatever order concurrent originates come in.

export interface HourProfile {
  /** Regex tested against the dialled digits without '+'. The first matching profile wins. */
  match: string;
  /** The subscriber's IANA zone: its clock reads the hour. */
  zone: string;
  /**
   * Answer probability by local hour: `"18-21"` for 18:00–20:59, `"9"` for 09:00–09:59.
   * Hours no key names answer with `otherwise`.
   */
  hours: Record<string, number>;
  otherwise: number;
  /** What a call not answered does: `no_answer` (default), `busy` or `machine`. */
  unanswered?: Extract<Behaviour, 'no_answer' | 'busy' | 'machine'>;
}

interface CompiledProfile {
  re: RegExp;
  zone: string;
  byHour: number[];
  unanswered: Behaviour;
}

const HOUR_KEY = /^(\d{1,2})(?:-(\d{1,2}))?$/;

/** Checks and compiles profiles; a bad one throws naming it and the field. */
export function compileHourProfiles(profiles: readonly HourProfile[]): CompiledProfile[] {
  return profiles.map((p, i) => {
    const where = `hour profile ${i + 1} (${p.match})`;
    let re: RegExp;
    try {
      re = new RegExp(p.match);
    } catch {
      throw new Error(`${where}: match is not a valid regular expression`);
    }
    if (!DateTime.now().setZone(p.zone).isValid) throw new Error(`${where}: zone ${p.zone} is not an IANA time zone`);
    const probability = (x: number, field: string): number => {
      if (!(x >= 0 && x <= 1)) throw new Error(`${where}: ${field} must be a probability from 0 to 1`);
      return x;
    };
    const byHour = Array.from({ length: 24 }, () => probability(p.otherwise, 'otherwise'));
    for (const [key, value] of Object.entries(p.hours)) {
      const m = HOUR_KEY.exec(key);
      const from = m ? Number(m[1]) : NaN;
      const to = m ? (m[2] === undefined ? from + 1 : Number(m[2])) : NaN;
      if (!(from >= 0 && from < to && to <= 24)) throw new Error(`${where}: hours key ${key} must be "H" or "H-H" with 0 <= start < end <= 24`);
      for (let h = from; h < to; h++) byHour[h] = probability(value, `hours.${key}`);
    }
    return { re, zone: p.zone, byHour, unanswered: p.unanswered ?? 'no_answer' };
  });
}

/** The profile a number follows, if any. */
export function profileOf(profiles: readonly CompiledProfile[], number: string): CompiledProfile | undefined {
  return profiles.find((p) => p.re.test(number));
}

/** The answer probability of a profile at a moment. */
export function answerProbability(profile: CompiledProfile, atMs: number): number {
  return profile.byHour[DateTime.fromMillis(atMs, { zone: profile.zone }).hour];
}

/** Whether the n-th call (from 0) to `number` at `atMs` is answered, for a seed. */
export function hourProfileBehaviour(profile: CompiledProfile, number: string, n: number, atMs: number, seed: number): Behaviour {
  return draw(seed, number, n) < answerProbability(profile, atMs) ? 'answer' : profile.unanswered;
}

/** A uniform number in [0, 1) from the seed, the number and the call's index (FNV-1a, then a mix). */
function draw(seed: number, number: string, n: number): number {
  let h = 0x811c9dc5 ^ (seed >>> 0);
  for (const ch of `${number}#${n}`) {
    h ^= ch.charCodeAt(0);
    h = Math.imul(h, 0x01000193);
  }
  h = Math.imul(h ^ (h >>> 16), 0x85ebca6b);
  h = Math.imul(h ^ (h >>> 13), 0xc2b2ae35);
  h ^= h >>> 16;
  return (h >>> 0) / 4294967296;
}
