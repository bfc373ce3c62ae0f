import { z } from 'zod';

// Caller-ID pools (docs/callerId.md): the registered numbers a campaign dials from, as an admin
// gives them, and the rule that picks one for a call. The table's CHECKs say the same as the
// schemas; these say it first, naming the field. Pure: no I/O.

export const CALLER_ID_ROTATIONS = ['in_turn', 'by_region'] as const;
export const INBOUND_ACTIONS = ['queue', 'message'] as const;
/** Numbers one call may add (one statement). */
export const MAX_CALLER_ID_NUMBERS = 1000;

export type CallerIdRotation = (typeof CALLER_ID_ROTATIONS)[number];

/** Strict E.164: a registered number is written exactly as the carrier and the regulator know it. */
export const e164Number = z.string().regex(/^\+[1-9]\d{6,14}$/, 'an E.164 number such as +74951234567');

export const poolName = z.string().regex(/^[a-z0-9][a-z0-9._-]{0,62}$/, 'lowercase letters, digits, dot, dash, underscore; at most 63');

/** Asterisk sound names joined by '&' (Playback's syntax): they are written into the dialplan as they are. */
const soundNames = z.string()
  .regex(/^[A-Za-z0-9_-]+(\/[A-Za-z0-9_-]+)*(&[A-Za-z0-9_-]+(\/[A-Za-z0-9_-]+)*)*$/, 'Asterisk sound names joined by &, e.g. dialer/callback&vm-goodbye')
  .max(500);

export const callerIdNumberSchema = z.object({
  number: e164Number.describe('The registered number, E.164 (+74951234567).'),
  regions: z.array(z.string().trim().min(1, 'must not be empty').max(200)).max(100).default([])
    .describe('The regions it serves, as the numbering plan names them (e.g. "г. Москва и Московская область"); empty: any.'),
}).strict();

const numbersSchema = z.array(callerIdNumberSchema)
  .max(MAX_CALLER_ID_NUMBERS, `at most ${MAX_CALLER_ID_NUMBERS} numbers at once`)
  .superRefine((numbers, ctx) => {
    const first = new Map<string, number>();
    numbers.forEach((n, i) => {
      const earlier = first.get(n.number);
      if (earlier === undefined) first.set(n.number, i);
      else ctx.addIssue({ code: z.ZodIssueCode.custom, path: [i, 'number'], message: `already given at ${earlier}` });
    });
  });

const poolFields = {
  rotation: z.enum(CALLER_ID_ROTATIONS).describe('in_turn: round robin over the pool; by_region: a number tagged with the subscriber\'s region, in turn, else any in turn.'),
  inbound: z.enum(INBOUND_ACTIONS).describe('A call back to a pool number: queue (the operators, then the message if nobody answers) or message (the message alone).'),
  inboundMessage: soundNames.describe('What a caller back hears: Asterisk sound names (Russian prompts), joined by &.'),
};

export const newCallerIdPoolSchema = z.object({
  name: poolName.describe('The pool\'s name: campaigns name it in callerIdPool.'),
  rotation: poolFields.rotation.default('in_turn'),
  inbound: poolFields.inbound.default('queue'),
  inboundMessage: poolFields.inboundMessage.default('im-sorry&pls-try-call-later'),
  numbers: numbersSchema.default([]).describe('Its numbers (each belongs to one pool only).'),
}).strict();

export const callerIdPoolPatchSchema = z.object({
  rotation: poolFields.rotation.optional(),
  inbound: poolFields.inbound.optional(),
  inboundMessage: poolFields.inboundMessage.optional(),
}).strict();

/** Numbers added to (or removed from) a pool: at least one, none twice. */
export const callerIdNumbersSchema = numbersSchema.refine((n) => n.length > 0, 'give at least one number');
export const callerIdNumberListSchema = z.array(e164Number).min(1, 'give at least one number').max(MAX_CALLER_ID_NUMBERS);

export type NewCallerIdPool = z.output<typeof newCallerIdPoolSchema>;
export type CallerIdPoolPatch = z.output<typeof callerIdPoolPatchSchema>;
export type CallerIdNumberInput = z.output<typeof callerIdNumberSchema>;

/** A pool as the pick sees it: its rule, the turn this call took, and its numbers. */
export interface PoolTurn {
  rotation: CallerIdRotation;
  /** The counter's value before this pick: 0 for the pool's first call. */
  turn: number;
  /** In a fixed order (by number), so that a turn always means the same number. */
  numbers: { e164: string; regions: string[] }[];
}

const sameRegion = (a: string, b: string): boolean => a.trim().toLocaleLowerCase('ru') === b.trim().toLocaleLowerCase('ru');

/**
 * The number a call presents. in_turn: the turn's number over the whole pool. by_region: the
 * turn's number among those tagged with the subscriber's region (null: unknown), or over the
 * whole pool when none is. Null when the pool holds no number.
 */
export function pickCallerId(pool: PoolTurn, region: string | null): string | null {
  let candidates = pool.numbers;
  if (pool.rotation === 'by_region' && region) {
    const local = pool.numbers.filter((n) => n.regions.some((r) => sameRegion(r, region)));
    if (local.length > 0) candidates = local;
  }
  if (candidates.length === 0) return null;
  return candidates[pool.turn % candidates.length].e164;
}
