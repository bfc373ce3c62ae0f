import { condition, patched, setHandler, sleep, workflowInfo } from '@temporalio/workflow';
import type { CallOutcome } from '../../domain/outcomes';
import type { StrategyAttempt } from '../../domain/strategies/strategy';
import type { ContactPlan, ContactResult, PreparedMessage } from '../../domain/types';
import { campaignChangedSignal, campaignResumedSignal, contactProgressQuery, type ContactProgress } from '../signals';
import type { GatedPrepare } from '../../activities/leanAttempt';
import { loadPlan, openAndGate } from './activityProxies';
import { LEAN_PATCH, WAKE_PATCH } from './patches';

// One contact's state as the steps share it: the plan, the signals counted so far, the
// attempts, and what the progress query shows. Opened once per workflow run, first thing.

/** What the workflow is started with (the campaign feed starts every contact workflow type with it). */
export interface ContactInput {
  campaignId: string;
  contactId: number;
}

export type NumberTally = ContactResult['perNumber'][number];

export interface Session {
  readonly input: ContactInput;
  readonly workflowId: string;
  readonly progress: ContactProgress;
  /** The campaign's settings of now (read again after a change); the numbers as at the start. */
  plan: ContactPlan;
  /** campaignResumed signals so far. */
  resumes: number;
  /** campaignChanged signals so far, and how many of them the plan has seen. */
  changes: number;
  planned: number;
  /** The last attempt row's sequence number in this workflow (a refusal's proof row takes one too). */
  seq: number;
  /** The local prepare's message: only contacts recorded before 'speech-prepare' have one. */
  message: PreparedMessage | null;
  /** Attempts and the last outcome per number, in the plan's order. */
  readonly perNumber: NumberTally[];
  /** Every attempt so far (refusals are not attempts): what a strategy decides on. */
  readonly attemptLog: StrategyAttempt[];
  /**
   * The contact started under 'lean-attempt' (decided once, when it opened: one that started
   * before it goes on as it ran, on any worker).
   */
  readonly lean: boolean;
  /**
   * The gate's answer (and the cached message) for the first number, asked with the plan
   * ('lean-attempt'): the first attempt uses it when nothing changed since; taken once.
   */
  firstGate: (GatedPrepare & { position: number }) | null;
}

/**
 * Whether the steps take the change `patchId` names: always in a lean contact (the patches
 * before 'lean-attempt' are its given, and their markers would only lengthen its history),
 * else as Temporal's `patched` says.
 */
export function hasPatch(s: Pick<Session, 'lean'>, patchId: string): boolean {
  return s.lean || patched(patchId);
}

/** The workflow's result once the contact's end is written. */
export function sessionResult(s: Session, state: ContactResult['state'], outcome: CallOutcome | null): ContactResult {
  return { contactId: s.plan.contactId, state, outcome, attempts: s.progress.attempts, perNumber: s.perNumber };
}

/**
 * Installs the progress query and the campaignResumed / campaignChanged handlers, then reads
 * the plan. The order is the contact workflow's since its first version: replays depend on it.
 * `gateFirst`: a lean contact also asks the gate of its first number with the plan, in the
 * same step (the contact workflow, whose first attempt is on it with no moment to wait for).
 */
export async function openSession(input: ContactInput, opts: { gateFirst?: boolean } = {}): Promise<Session> {
  const { workflowId } = workflowInfo();
  const progress: ContactProgress = {
    step: 'gate', phonePosition: null, attempts: 0, lastOutcome: null, sleepingUntil: null,
  };
  const opened: Omit<Session, 'plan' | 'lean'> = {
    input, workflowId, progress, resumes: 0, changes: 0, planned: 0, seq: 0, message: null, perNumber: [], attemptLog: [], firstGate: null,
  };
  setHandler(contactProgressQuery, () => progress);
  setHandler(campaignResumedSignal, () => void opened.resumes++);
  setHandler(campaignChangedSignal, () => void opened.changes++);
  opened.planned = opened.changes;
  // Asked first, before any command: its marker (only a new contact writes one) leads the history.
  const lean = patched(LEAN_PATCH);
  let plan: ContactPlan;
  if (lean && opts.gateFirst) {
    const o = await openAndGate(input.contactId);
    plan = o.plan;
    opened.firstGate = o.first;
  } else {
    plan = await loadPlan(input.contactId);
  }
  const s: Session = Object.assign(opened, { lean, plan });
  s.perNumber.push(...s.plan.phones.map((p) => ({ position: p.position, attempts: 0, lastOutcome: null as CallOutcome | null })));
  return s;
}

/** Sleeps until `atMs`, or until the campaign changes: 'woken' then. */
export async function sleepUntil(s: Session, atMs: number): Promise<'slept' | 'woken'> {
  if (!hasPatch(s, WAKE_PATCH)) {
    s.progress.sleepingUntil = new Date(atMs).toISOString();
    await sleep(Math.max(0, atMs - Date.now()));
    s.progress.sleepingUntil = null;
    return 'slept';
  }
  if (s.changes > s.planned) return 'woken';
  s.progress.sleepingUntil = new Date(atMs).toISOString();
  const woken = await condition(() => s.changes > s.planned, Math.max(0, atMs - Date.now()));
  s.progress.sleepingUntil = null;
  return woken ? 'woken' : 'slept';
}

/** Reads the plan again when the campaign changed since it was read. */
export async function replanIfChanged(s: Session): Promise<void> {
  if (s.changes === s.planned || !hasPatch(s, WAKE_PATCH)) return;
  s.planned = s.changes;
  s.firstGate = null; // asked on the plan of before
  const fresh = await loadPlan(s.input.contactId);
  if (fresh.templateId !== s.plan.templateId) s.message = null;
  // The contact walks the numbers it started with; everything else is the campaign's of now.
  s.plan = { ...fresh, phones: s.plan.phones };
}
