import { compileHourProfiles, hourProfileBehaviour, profileOf, type HourProfile } from './hourProfiles';

/**
 * What the simulated subscriber does: which behaviour a dialled number gets, and how long each
 * step of it takes (before the time scale).
 *
 * Rules mode (`defaultNumberRules`), by the dialled digits without '+':
 *
 *   ends in  behaviour            what the app sees
 *   98       congestion           fails after 0.5 s, cause 34
 *   97       machine              like answer, but AMD (dialer-amd) says MACHINE; counted as 'machine'
 *   96       slow_answer          rings 20 s, then answers (no answer if the originate timeout is shorter)
 *   0 1 2 3  answer               rings 2 s, answers, listens until the app hangs up
 *   4        answer_press_1       like answer, presses DTMF '1' 1.5 s after its first playback starts
 *   5        busy, then answer    busy (cause 17) on the first call to the number, answers later
 *   6        busy                 fails after 0.5 s, cause 17
 *   7        no_answer            rings until the originate timeout, cause 19
 *   8        answer_hangup_early  answers, hangs up 1 s later, cause 16
 *   9        unallocated          fails after 0.5 s, cause 1
 *
 * Probability mode draws each call's behaviour from weights with a seeded PRNG, so a run with
 * the same seed and the same order of originates repeats exactly.
 *
 * Hour profiles (hourProfiles.ts), in either mode, come first: a matching number answers with
 * the probability of the local hour on the simulator's clock.
 *
 * A listener hangs up by itself (cause 16) after 10 minutes, but never sooner than 5 s of real
 * time: it is a safety net, and at time scale 0 it would otherwise end each call before the
 * app can act.
 */

export type Behaviour =
  | 'answer' | 'answer_press_1' | 'answer_hangup_early' | 'busy' | 'no_answer' | 'unallocated'
  | 'congestion' | 'machine' | 'slow_answer';

export const BEHAVIOURS: readonly Behaviour[] = [
  'answer', 'answer_press_1', 'answer_hangup_early', 'busy', 'no_answer', 'unallocated',
  'congestion', 'machine', 'slow_answer',
];

export interface NumberRule {
  /** Regex tested against the dialled digits without '+'. The first matching rule wins. */
  match: string;
  /** The n-th call (from 0) to the same number uses behaviours[min(n, length - 1)]. */
  behaviours: Behaviour[];
}

export const defaultNumberRules: NumberRule[] = [
  { match: '98$', behaviours: ['congestion'] },
  { match: '97$', behaviours: ['machine'] },
  { match: '96$', behaviours: ['slow_answer'] },
  { match: '[0-3]$', behaviours: ['answer'] },
  { match: '4$', behaviours: ['answer_press_1'] },
  { match: '5$', behaviours: ['busy', 'answer'] },
  { match: '6$', behaviours: ['busy'] },
  { match: '7$', behaviours: ['no_answer'] },
  { match: '8$', behaviours: ['answer_hangup_early'] },
  { match: '9$', behaviours: ['unallocated'] },
];

/** Weights used in probability mode when none are given. */
export const defaultProbabilities: Record<Behaviour, number> = {
  answer: 0.4, answer_press_1: 0.1, answer_hangup_early: 0.05, busy: 0.1, no_answer: 0.2,
  unallocated: 0.05, congestion: 0.03, machine: 0.05, slow_answer: 0.02,
};

// Simulated durations in ms, before the time scale.
export const RING_MS = 2000;
export const SLOW_RING_MS = 20_000;
export const FAIL_MS = 500;
export const HANGUP_EARLY_MS = 1000;
export const DTMF_AFTER_PLAYBACK_MS = 1500;
export const DTMF_DURATION_MS = 100;
export const LISTEN_MAX_MS = 10 * 60_000;
/** The listen limit is a safety net, not a behaviour: scaled to 0 it would hang up every
 * answered call before the app could play anything, so it never drops below this, in real ms. */
export const LISTEN_MAX_FLOOR_REAL_MS = 5000;

export interface BehaviourOptions {
  mode?: 'rules' | 'probability';
  rules?: NumberRule[];
  probabilities?: Partial<Record<Behaviour, number>>;
  /** Seed of the probability mode's PRNG and of the hour profiles' draws; default 1, so runs repeat. */
  seed?: number;
  /** Numbers that answer by their local hour; checked before the rules or the probabilities. */
  hourProfiles?: readonly HourProfile[];
  /** The clock the hour profiles read (default the wall clock; a bench under time skipping passes the test server's). */
  clock?: () => number;
}

/** Picks the behaviour of each dialled number, by rule or by probability. */
export class BehaviourPicker {
  private readonly mode: 'rules' | 'probability';
  private readonly rules: { re: RegExp; behaviours: Behaviour[] }[];
  private readonly weights: [Behaviour, number][];
  private readonly weightTotal: number;
  private readonly random: () => number;
  private readonly profiles: ReturnType<typeof compileHourProfiles>;
  private readonly clock: () => number;
  private readonly seed: number;
  /** Calls made so far per number, kept only for rules with several behaviours. */
  private readonly callsPerNumber = new Map<string, number>();

  constructor(opts: BehaviourOptions) {
    this.mode = opts.mode ?? 'rules';
    this.rules = (opts.rules ?? defaultNumberRules).map((r) => {
      if (!r.behaviours.length || r.behaviours.some((b) => !BEHAVIOURS.includes(b))) {
        throw new Error(`rule ${r.match}: behaviours must be a non-empty list of ${BEHAVIOURS.join(', ')}`);
      }
      return { re: new RegExp(r.match), behaviours: [...r.behaviours] };
    });
    const probs = opts.probabilities ?? defaultProbabilities;
    this.weights = BEHAVIOURS.map((b): [Behaviour, number] => [b, Math.max(0, probs[b] ?? 0)])
      .filter(([, w]) => w > 0);
    this.weightTotal = this.weights.reduce((s, [, w]) => s + w, 0);
    if (this.mode === 'probability' && this.weightTotal <= 0) {
      throw new Error('probability mode needs at least one positive probability');
    }
    this.random = mulberry32(opts.seed ?? 1);
    this.seed = opts.seed ?? 1;
    this.profiles = compileHourProfiles(opts.hourProfiles ?? []);
    this.clock = opts.clock ?? Date.now;
  }

  pick(number: string): Behaviour {
    const profile = profileOf(this.profiles, number);
    if (profile) {
      const n = this.callsPerNumber.get(number) ?? 0;
      this.callsPerNumber.set(number, n + 1);
      return hourProfileBehaviour(profile, number, n, this.clock(), this.seed);
    }
    if (this.mode === 'probability') {
      let r = this.random() * this.weightTotal;
      for (const [b, w] of this.weights) {
        if (r < w) return b;
        r -= w;
      }
      return this.weights[this.weights.length - 1]![0];
    }
    const rule = this.rules.find((r) => r.re.test(number));
    if (!rule) return 'answer';
    if (rule.behaviours.length === 1) return rule.behaviours[0]!;
    const n = this.callsPerNumber.get(number) ?? 0;
    this.callsPerNumber.set(number, n + 1);
    return rule.behaviours[Math.min(n, rule.behaviours.length - 1)]!;
  }

  /** Forgets earlier calls per number, so a '5' is busy again. */
  forgetCalls(): void {
    this.callsPerNumber.clear();
  }
}

/** A small deterministic generator of numbers in [0, 1) from a seed (mulberry32): runs repeat. */
export function mulberry32(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
