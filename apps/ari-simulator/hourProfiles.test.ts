import { BehaviourPicker } from './subscriberBehaviour';
import { compileHourProfiles, type HourProfile } from './hourProfiles';

// Subscribers who answer by their local hour: the rates follow the profile, the draws repeat
// for a seed whatever order the calls come in, and a bad profile is refused by name.

const EVENING: HourProfile = { match: '^7916', zone: 'Europe/Moscow', hours: { '18-21': 0.9 }, otherwise: 0.1 };
const MORNING: HourProfile = { match: '^7495', zone: 'Asia/Vladivostok', hours: { '8-11': 0.8, 14: 0.5 }, otherwise: 0.05, unanswered: 'busy' };
/** 19:30 in Moscow (16:30 UTC) = 02:30 next day in Vladivostok. */
const EVENING_MS = Date.parse('2026-03-02T16:30:00Z');
/** 10:30 in Moscow = 17:30 in Vladivostok. */
const MORNING_MOSCOW_MS = Date.parse('2026-03-02T07:30:00Z');
/** 09:30 in Vladivostok (23:30 UTC the day before) = 02:30 in Moscow. */
const MORNING_VLADIVOSTOK_MS = Date.parse('2026-03-01T23:30:00Z');

const numbers = (prefix: string, n: number): string[] => Array.from({ length: n }, (_, i) => `${prefix}${String(i).padStart(7, '0')}`);

function answerShare(picker: BehaviourPicker, list: string[]): number {
  return list.filter((n) => picker.pick(n) === 'answer').length / list.length;
}

test('a number answers with its profile\'s probability for the local hour of the simulator\'s clock', () => {
  let now = EVENING_MS;
  const picker = new BehaviourPicker({ hourProfiles: [EVENING, MORNING], clock: () => now });
  expect(answerShare(picker, numbers('7916', 2000))).toBeGreaterThan(0.85);
  expect(answerShare(picker, numbers('7495', 2000))).toBeLessThan(0.08); // 02:30 in Vladivostok
  now = MORNING_MOSCOW_MS;
  picker.forgetCalls();
  expect(answerShare(picker, numbers('7916', 2000))).toBeLessThan(0.15);
  now = MORNING_VLADIVOSTOK_MS;
  expect(answerShare(picker, numbers('7495', 2000))).toBeGreaterThan(0.75);
  // Unanswered calls take the profile's behaviour; numbers no profile matches keep the rules.
  expect(new Set(numbers('7495', 200).map((n) => picker.pick(n)))).toEqual(new Set(['answer', 'busy']));
  expect(picker.pick('74990000006')).toBe('busy'); // the rule for a last digit 6
});

test('the draws repeat for a seed, whatever the order of the calls, and change with it', () => {
  const list = numbers('7916', 300);
  const run = (seed: number, order: string[]): Record<string, string> => {
    const picker = new BehaviourPicker({ hourProfiles: [EVENING], clock: () => MORNING_MOSCOW_MS, seed });
    const out: Record<string, string> = {};
    for (const n of order) out[n] = [picker.pick(n), picker.pick(n)].join(',');
    return out;
  };
  expect(run(7, list)).toEqual(run(7, [...list].reverse()));
  expect(run(7, list)).not.toEqual(run(8, list));
  // A second call to a number is a new draw, not the first one again.
  expect(Object.values(run(7, list)).some((v) => v === 'answer,no_answer' || v === 'no_answer,answer')).toBe(true);
});

test('a bad profile is refused, naming it and the field', () => {
  expect(() => compileHourProfiles([{ ...EVENING, zone: 'Mars/Olympus' }])).toThrow('hour profile 1 (^7916): zone Mars/Olympus is not an IANA time zone');
  expect(() => compileHourProfiles([{ ...EVENING, hours: { '21-18': 0.5 } }])).toThrow('hours key 21-18');
  expect(() => compileHourProfiles([{ ...EVENING, otherwise: 1.5 }])).toThrow('otherwise must be a probability from 0 to 1');
  expect(() => compileHourProfiles([{ ...EVENING, match: '(' }])).toThrow('match is not a valid regular expression');
});
