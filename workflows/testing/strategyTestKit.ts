import type { WorkflowHandle } from '@temporalio/client';
import { Worker } from '@temporalio/worker';
import { DateTime } from 'luxon';
import { randomBytes } from 'node:crypto';
import type { CallingSchedule } from '../../domain/callingSchedule';
import type { CallOutcome } from '../../domain/outcomes';
import type { AnswerHistoryQuestion } from '../../adapters/postgres/answerRates';
import { DEFAULT_STRATEGY, type AnswerHistory, type PhoneKind, type StrategyChoice } from '../../domain/strategies/strategy';
import { DEFAULT_CONTACT_WORKFLOW_TYPE, type ContactWorkflowType } from '../../domain/strategies/workflowTypes';
import type { ContactResult, GateRefusal, RetryStrategy } from '../../domain/types';
import { ALWAYS_OPEN, allowedAt, answered, contactPlan, ended, refusedAt, scriptedContactActivities, type ContactSeen } from './fakeActivities';
import { useSkippingWorld } from './skippingWorld';

// The strategy author's test kit: one contact, the real contact workflow and the strategy
// under test (or a strategy workflow of its own: `workflowType`), on Temporal's time-skipping test server, each call ending as the script says.
// It answers the question a strategy is about — when was each number called? — in the
// subscriber's own clock, so a test reads like the rule it checks:
//
//   const runStrategy = useStrategyTestKit();
//   const { calls } = await runStrategy({ strategy, numbers: [mobile, home], outcomes: ['busy', 'answered'], zone: 'Asia/Vladivostok' });
//   expect(calls.map((c) => c.when)).toEqual(['d0 10:00', 'd0 10:10']);
//
// The gate allows every call (the contact workflow still asks it before each one) and the
// calling hours are the schedule's: a retry the strategy puts at night waits for the morning.

export type ScriptedOutcome = Exclude<CallOutcome, 'refused'>;

export interface StrategyRun {
  /**
   * The strategy under test, as a campaign names it (registered in domain/strategies/registry.ts);
   * simple v1 when left out (a strategy workflow that decides by itself needs none).
   */
  strategy?: StrategyChoice;
  /**
   * The contact workflow type to run, as a campaign names it (domain/strategies/workflowTypes.ts):
   * contactWorkflow by default, or a strategy workflow under test.
   */
  workflowType?: ContactWorkflowType;
  /** The contact's numbers in dialling order: an E.164 number, or one with its kind. */
  numbers: readonly (string | { e164: string; kind?: PhoneKind | null })[];
  /** How each call ends, in order. A strategy that calls more often than this fails the run. */
  outcomes: readonly ScriptedOutcome[];
  /** The subscriber's IANA zone: hours are read and calls reported in it. */
  zone: string;
  /**
   * When the contact starts, local: `HH:mm` on the next Monday after the server's clock
   * (default 10:00), or a full `YYYY-MM-DDTHH:mm` (runs share the server's clock, which only
   * moves forward, so a fixed date must be later than every run before it).
   */
  startAt?: string;
  /** Calling hours every day, local (default 09:00–21:00); `schedule` replaces them. */
  hours?: readonly [string, string];
  schedule?: CallingSchedule;
  /** The campaign's classic columns (what `simple` runs on). */
  campaign?: Partial<RetryStrategy>;
  /**
   * What the answer-count activity returns to a strategy that asks for it (bestHour): the same
   * counts before every decision (default none at all).
   */
  answerHistory?: Partial<Omit<AnswerHistory, 'position'>>;
  /**
   * Numbers (E.164) the gate refuses every time it is asked, with the refusal named: the
   * blacklist, the refusal list of mass calls, no consent. Every other number is allowed.
   */
  refused?: Readonly<Record<string, GateRefusal>>;
}

export interface KitCall {
  /** The number's position (1 = first) and its digits. */
  position: number;
  e164: string;
  outcome: ScriptedOutcome;
  /** The test server's time of the call, epoch ms (never early; a few ms late for the activities' own time). */
  atMs: number;
  /** `d<days since the start's local date> HH:mm` in the subscriber's zone: what tests compare. */
  when: string;
  /** The full local date and time, `YYYY-MM-DD HH:mm`. */
  local: string;
}

export interface StrategyRunResult {
  calls: KitCall[];
  /** How the contact workflow ended. */
  contact: ContactResult;
  /** Whether the gate was asked, for the number called, right before every call. */
  everyCallGated: boolean;
  /** What the workflow asked of each activity, for deeper checks. */
  seen: ContactSeen;
  /** The questions the answer-count activity was asked, one per decision of a strategy that asks. */
  answerQuestions: AnswerHistoryQuestion[];
  /**
   * The workflow's history: `JSON.stringify` it into workflows/testing/histories to keep the run
   * as a replay fixture (workflows/replay.test.ts) before changing how the workflow decides.
   */
  history: Awaited<ReturnType<WorkflowHandle['fetchHistory']>>;
}

/**
 * Registers the test server's start and stop for the test file (beforeAll/afterAll) and
 * returns the function that runs a contact. Runs share the server and its clock.
 */
export function useStrategyTestKit(): (run: StrategyRun) => Promise<StrategyRunResult> {
  const world = useSkippingWorld();
  return async (run) => {
    const { env } = world;
    const start = startMoment(run, await env.currentTimeMs());
    const now = await env.currentTimeMs();
    if (start > now) await env.sleep(start - now);

    const phones = run.numbers.map((n, i) => {
      const { e164, kind = null } = typeof n === 'string' ? { e164: n } : n;
      return { position: i + 1, e164, zones: [run.zone], zoneSource: 'contact', kind };
    });
    const schedule = run.schedule ?? { ...ALWAYS_OPEN, window: { start: run.hours?.[0] ?? '09:00', end: run.hours?.[1] ?? '21:00' } };
    const base = contactPlan();
    const { activities, seen } = scriptedContactActivities(() => env.currentTimeMs(), {
      plan: [contactPlan({ phones, schedule, strategyChoice: run.strategy ?? DEFAULT_STRATEGY, strategy: { ...base.strategy, ...run.campaign } })],
      // A call beyond the script is answered, which ends the contact; the run then fails.
      call: [...run.outcomes.map((o) => ended(o)), answered],
      gate: [(q, atMs) => {
        const refusal = run.refused?.[q.e164];
        return refusal ? refusedAt(refusal, atMs) : allowedAt(atMs);
      }],
    });
    const answerQuestions: AnswerHistoryQuestion[] = [];
    const none = { attempts: Array(24).fill(0), answered: Array(24).fill(0) };
    const answerRates = async (q: AnswerHistoryQuestion): Promise<AnswerHistory> => {
      answerQuestions.push(q);
      return { position: q.position, number: none, prefix: none, campaign: none, ...run.answerHistory };
    };
    const taskQueue = `strategy-kit-${randomBytes(4).toString('hex')}`;
    const worker = await Worker.create({
      connection: env.nativeConnection, taskQueue, workflowBundle: world.bundle, activities: { ...activities, answerRates },
    });
    const { contact, history } = await worker.runUntil(async () => {
      const handle = await env.client.workflow.start(run.workflowType ?? DEFAULT_CONTACT_WORKFLOW_TYPE, {
        taskQueue, workflowId: `contact/strategy-kit/${randomBytes(4).toString('hex')}`, args: [{ campaignId: 'c-unit', contactId: 42 }],
      });
      try {
        const result = await handle.result();
        return { contact: result, history: await handle.fetchHistory() };
      } finally {
        await handle.terminate('test over').catch(() => undefined);
      }
    });
    if (seen.call.length > run.outcomes.length) {
      throw new Error(`the strategy placed ${seen.call.length} calls; the script has ${run.outcomes.length} outcomes`);
    }

    const startDay = DateTime.fromMillis(start, { zone: run.zone }).startOf('day');
    const calls = seen.call.map((c, i): KitCall => {
      const at = DateTime.fromMillis(c.atMs, { zone: run.zone });
      const day = Math.round(at.startOf('day').diff(startDay, 'days').days);
      const phone = phones.find((p) => p.e164 === c.args.e164);
      return {
        position: phone?.position ?? 0, e164: c.args.e164, outcome: run.outcomes[i], atMs: c.atMs,
        when: `d${day} ${at.toFormat('HH:mm')}`, local: at.toFormat('yyyy-MM-dd HH:mm'),
      };
    });
    return { calls, contact, everyCallGated: gatedBeforeEachCall(seen), seen, answerQuestions, history };
  };
}

/**
 * The run's start, epoch ms: a local `HH:mm` on the next Monday after `nowMs` (10:00 when not
 * given), or a full local `YYYY-MM-DDTHH:mm`, which must not be before the server's clock.
 */
function startMoment(run: StrategyRun, nowMs: number): number {
  const given = run.startAt ?? '10:00';
  const time = /^(\d{2}):(\d{2})$/.exec(given);
  if (time) {
    const monday = DateTime.fromMillis(nowMs, { zone: run.zone }).startOf('week').plus({ weeks: 1 });
    return monday.set({ hour: Number(time[1]), minute: Number(time[2]) }).toMillis();
  }
  const at = DateTime.fromISO(given, { zone: run.zone });
  if (!at.isValid) throw new Error(`startAt: ${given} is neither HH:mm nor a local YYYY-MM-DDTHH:mm`);
  if (at.toMillis() < nowMs) {
    throw new Error(`startAt: ${given} is before the test server's clock (${new Date(nowMs).toISOString()}); give HH:mm for the next Monday instead`);
  }
  return at.toMillis();
}

function gatedBeforeEachCall(seen: ContactSeen): boolean {
  let gates = 0;
  let calls = 0;
  let gatedNumber: string | null = null;
  for (const name of seen.order) {
    if (name === 'gate') gatedNumber = seen.gate[gates++].args.e164;
    if (name === 'call') {
      if (gatedNumber !== seen.call[calls++].args.e164) return false;
      gatedNumber = null;
    }
  }
  return true;
}
