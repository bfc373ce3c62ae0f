import { ApplicationFailure } from '@temporalio/common';
import type { DialerActivities } from '../../activities';
import type { GatePrepareQuestion, GatedPrepare } from '../../activities/leanAttempt';
import { nextAllowedMomentIn, type CallingSchedule } from '../../domain/callingSchedule';
import type { CallOutcome, CampaignState } from '../../domain/outcomes';
import type {
  AttemptRecord, CallRequest, CallResult, ContactPhone, ContactPlan, GateDecision, GateRefusal, PreparedAudio, PreparedMessage,
} from '../../domain/types';

// Fake activities for the workflow unit tests (workflows/*.test.ts): plain functions that answer
// from a script and write down what the workflow asked and when, in the test server's time (the
// worker's wall clock knows nothing of skipped hours). No Postgres, no ARI.

/** The test server's clock: `() => env.currentTimeMs()`. */
export type Clock = () => Promise<number>;

/** One call of a fake activity: its argument and the server time it ran at. */
export interface Seen<A> {
  args: A;
  atMs: number;
}

/** A scripted answer: a value, an error to throw, or a function of the request and the time. */
export type Reply<Q, R> = R | Error | ((q: Q, atMs: number) => R);

/** The n-th answer of a script; the last one repeats once the script runs out. */
function answer<Q, R>(script: readonly Reply<Q, R>[], n: number, q: Q, atMs: number): R {
  if (script.length === 0) throw new Error('empty script');
  const reply = script[Math.min(n, script.length - 1)];
  if (reply instanceof Error) throw reply;
  return typeof reply === 'function' ? (reply as (q: Q, atMs: number) => R)(q, atMs) : reply;
}

const iso = (ms: number): string => new Date(ms).toISOString();

// ---------------------------------------------------------------------------------------------
// The contact workflow

/** Every hour of every day, no end date, no legal hours: the wait step never sleeps. */
export const ALWAYS_OPEN: CallingSchedule = {
  window: { start: '00:00', end: '24:00' },
  weeklyHours: {},
  startDate: null,
  endDate: null,
  calendar: { holidays: [], workingDays: [] },
  policy: { workingDayHours: null, restDayHours: null },
};

export function phone(position: number, e164: string, zones: string[] = ['Europe/Moscow']): ContactPhone {
  return { position, e164, zones, zoneSource: 'contact' };
}

export function contactPlan(overrides: Partial<ContactPlan> = {}): ContactPlan {
  return {
    contactId: 42,
    campaignId: 'c-unit',
    phones: [phone(1, '+79160000001')],
    schedule: ALWAYS_OPEN,
    countUnanswered: false,
    templateId: 7,
    templateVersion: 1,
    callerId: '+74950000000',
    ringTimeoutSeconds: 30,
    strategy: { maxAttemptsPerNumber: 2, retryIntervalSeconds: 3600, machineAction: 'hang_up' },
    handling: {
      detectMachines: false, machineAction: 'hang_up', operatorKey: null, operatorWaitSeconds: 60, minListenSeconds: null,
    },
    ...overrides,
  };
}

export type GateQuery = Parameters<DialerActivities['gate']>[0];
export type FinishArgs = Parameters<DialerActivities['finish']>[0];

export function allowedAt(atMs: number): GateDecision {
  return { allowed: true, checks: [{ rule: 'campaign_running', passed: true }, { rule: 'blacklist', passed: true }], checkedAt: iso(atMs) };
}

/** The gate says yes. */
export const allow: Reply<GateQuery, GateDecision> = (_q, atMs) => allowedAt(atMs);

/** The gate says no; `retryAfterMs` sets its retryAt relative to the moment it was asked. */
export function refuse(refusal: GateRefusal, retryAfterMs?: number): Reply<GateQuery, GateDecision> {
  return (_q, atMs) => refusedAt(refusal, atMs, retryAfterMs);
}

export function refusedAt(refusal: GateRefusal, atMs: number, retryAfterMs?: number): GateDecision {
  return {
    allowed: false, refusal, checks: [{ rule: refusal, passed: false }], checkedAt: iso(atMs),
    ...(retryAfterMs === undefined ? {} : { retryAt: iso(atMs + retryAfterMs) }),
  };
}

/** A call that was placed and ended with `outcome`. */
export function ended(outcome: Exclude<CallOutcome, 'refused'>): Reply<CallRequest, CallResult> {
  return (req, atMs) => ({
    outcome, gate: allowedAt(atMs), channelId: req.channelId, hangupCause: 16, dtmf: null,
    listenedMs: outcome === 'answered' ? 12_000 : null, startedAt: iso(atMs),
    answeredAt: outcome === 'answered' ? iso(atMs) : null, endedAt: iso(atMs),
  });
}

export const answered = ended('answered');

/** The call activity's own last check said no: nothing was dialled. */
export function lastCheckRefuses(refusal: GateRefusal, retryAfterMs?: number): Reply<CallRequest, CallResult> {
  return (_req, atMs) => ({
    outcome: 'refused', gate: refusedAt(refusal, atMs, retryAfterMs), channelId: null, hangupCause: null, dtmf: null,
    listenedMs: null, startedAt: iso(atMs), answeredAt: null, endedAt: iso(atMs),
  });
}

export interface ContactScript {
  plan?: Reply<number, ContactPlan>[];
  gate?: Reply<GateQuery, GateDecision>[];
  call?: Reply<CallRequest, CallResult>[];
  /** What the local prepare of contacts recorded before 'speech-prepare' returns. */
  message?: PreparedMessage;
  /** What prepareMessage answers, attempt after attempt (an Error fails it as the activity would). */
  prepared?: Reply<PrepareQuery, PreparedAudio>[];
  /** What the local prepareFromCache answers, attempt after attempt (default: a miss, so prepareMessage runs). */
  cached?: Reply<PrepareQuery, CachedPrepare>[];
}

export type PrepareQuery = Parameters<DialerActivities['prepareMessage']>[0];
export type CachedPrepare = Awaited<ReturnType<DialerActivities['prepareFromCache']>>;
export type SpeechFailedArgs = Parameters<DialerActivities['speechFailed']>[0];

export type ContactActivities = Pick<
  DialerActivities, 'plan' | 'gate' | 'prepare' | 'prepareMessage' | 'prepareFromCache' | 'speechFailed' | 'call' | 'record' | 'finish'
  | 'recordAndFinish' | 'openAndGate' | 'gateAndPrepare'
>;

/** The combined steps of 'lean-attempt'. */
type CombinedStep = 'recordAndFinish' | 'openAndGate' | 'gateAndPrepare';

/** The steps the fakes note; a combined step notes each step it is made of, in its order. */
type NotedStep = Exclude<keyof ContactActivities, CombinedStep>;

export interface ContactSeen {
  /** Activity names in the order they ran, but prepareFromCache (each try is in its own list). */
  order: NotedStep[];
  /** The combined steps of 'lean-attempt', each time one ran (its parts are noted in `order`). */
  combined: Seen<CombinedStep>[];
  plan: Seen<number>[];
  gate: Seen<GateQuery>[];
  prepare: Seen<Parameters<DialerActivities['prepare']>[0]>[];
  prepareMessage: Seen<PrepareQuery>[];
  /** Each local try before prepareMessage (patched 'prepare-local-when-cached'). */
  prepareFromCache: Seen<PrepareQuery>[];
  speechFailed: Seen<SpeechFailedArgs>[];
  call: Seen<CallRequest>[];
  record: Seen<AttemptRecord>[];
  finish: Seen<FinishArgs>[];
}

export const MESSAGE: PreparedMessage = { text: 'Здравствуйте! Это тест.', media: ['sound:hello'] };

/** The prepared message's references, as prepareMessage returns them (no text). */
export const PREPARED: PreparedAudio = { preparedId: 900, media: ['sound:dialer/speech/0123abcd'], durationMs: 4200 };

/**
 * A failure of prepareMessage as the real activity throws it: an ApplicationFailure of the
 * error's type, with the detail the contact's wait shows.
 */
export function prepareFails(type: string, detail: string = type): Error {
  return ApplicationFailure.create({ type, message: `${type} (test)`, details: [{ detail }] });
}

/**
 * The contact workflow's activities, answering from `script` (defaults: the plan of
 * `contactPlan()`, a gate that allows, a call that is answered).
 */
export function scriptedContactActivities(clock: Clock, script: ContactScript = {}): {
  activities: ContactActivities;
  seen: ContactSeen;
} {
  const seen: ContactSeen = {
    order: [], combined: [], plan: [], gate: [], prepare: [], prepareMessage: [], prepareFromCache: [], speechFailed: [], call: [], record: [], finish: [],
  };
  const note = async <K extends NotedStep>(name: K, args: ContactSeen[K][number]['args']): Promise<number> => {
    const atMs = await clock();
    seen.order.push(name);
    (seen[name] as Seen<typeof args>[]).push({ args, atMs });
    return atMs;
  };
  /** A fake that notes its call and answers with its script's next reply. */
  const scripted = <K extends NotedStep, R>(name: K, replies: readonly Reply<ContactSeen[K][number]['args'], R>[]) =>
    async (q: ContactSeen[K][number]['args']): Promise<R> => {
      const n = seen[name].length;
      const atMs = await note(name, q);
      return answer(replies, n, q, atMs);
    };
  const activities: ContactActivities = {
    plan: scripted('plan', script.plan ?? [(contactId) => contactPlan({ contactId })]),
    gate: scripted('gate', script.gate ?? [allow]),
    async prepare(q) {
      await note('prepare', q);
      return script.message ?? MESSAGE;
    },
    prepareMessage: scripted('prepareMessage', script.prepared ?? [PREPARED]),
    async prepareFromCache(q) {
      const n = seen.prepareFromCache.length;
      const atMs = await clock();
      seen.prepareFromCache.push({ args: q, atMs });
      return answer(script.cached ?? [{ miss: true }], n, q, atMs);
    },
    async speechFailed(q) {
      await note('speechFailed', q);
    },
    call: scripted('call', script.call ?? [answered]),
    async record(a) {
      await note('record', a);
      return seen.record.length; // the attempt row's id
    },
    async finish(q) {
      await note('finish', q);
    },
    async openAndGate(contactId) {
      seen.combined.push({ args: 'openAndGate', atMs: await clock() });
      const plan = await activities.plan(contactId);
      const [first] = plan.phones;
      if (!first) return { plan, first: null };
      const atMs = await clock();
      const at = nextAllowedMomentIn(plan.schedule, first.zones, atMs);
      const request = plan.templateId === null ? null : {
        campaignId: plan.campaignId, contactId: plan.contactId, templateId: plan.templateId, templateVersion: plan.templateVersion ?? null,
      };
      const gated = await gateAndCache({
        campaignId: plan.campaignId, contactId: plan.contactId, e164: first.e164, zones: first.zones,
        prepare: at !== null && at <= atMs ? request : null,
      });
      return { plan, first: { position: first.position, ...gated } };
    },
    async gateAndPrepare(q) {
      seen.combined.push({ args: 'gateAndPrepare', atMs: await clock() });
      return gateAndCache(q);
    },
    async recordAndFinish({ attempt, end }) {
      seen.combined.push({ args: 'recordAndFinish', atMs: await clock() });
      await note('record', attempt);
      await note('finish', { contactId: attempt.contactId, ...end });
      return seen.record.length;
    },
  };
  /** The gate, then the cached prepare when it allows (an error of the store is a miss, as in activities/leanAttempt.ts). */
  async function gateAndCache(q: GatePrepareQuestion): Promise<GatedPrepare> {
    const { prepare: request, ...question } = q;
    const gate = await activities.gate(question);
    if (!gate.allowed || !request) return { gate, prepared: null };
    try {
      return { gate, prepared: await activities.prepareFromCache(request) };
    } catch {
      return { gate, prepared: { miss: true } };
    }
  }
  return { activities, seen };
}

// ---------------------------------------------------------------------------------------------
// The campaign workflow

export type CampaignActivities = Pick<
  DialerActivities, 'campaignStatus' | 'startContactPage' | 'completeCampaign' | 'wakeContacts' | 'cancelPendingContacts' | 'warmTemplate'
>;
type CampaignStatus = Awaited<ReturnType<DialerActivities['campaignStatus']>>;
type PageRequest = Parameters<DialerActivities['startContactPage']>[0];
type PageResult = Awaited<ReturnType<DialerActivities['startContactPage']>>;

export interface FakeCampaignOptions {
  /** Contacts with ids 1..contacts, all pending at first. */
  contacts: number;
  maxInFlight: number;
  /** How long (server time) a started contact runs before it is done. */
  contactRunsMs: number;
  /** The campaign's state at the n-th status read (default: running throughout). */
  state?: (n: number) => CampaignState;
  /** Contacts added (pending, with the next ids) at the n-th status read, before it counts. */
  added?: (n: number) => number;
  /** The n-th warmTemplate call's answer (default: two static pieces warmed). */
  warm?: (n: number) => Awaited<ReturnType<DialerActivities['warmTemplate']>> | Error;
}

export interface CampaignSeen {
  status: Seen<CampaignStatus>[];
  pages: Seen<{ req: PageRequest; result: PageResult }>[];
  completed: Seen<string>[];
  /** The contacts in progress each time the campaign told them it changed. */
  woken: Seen<number[]>[];
  /** Pending contacts marked cancelled, per call of cancelPendingContacts. */
  cancelled: Seen<number[]>[];
  /** How many times each contact id was started (a retried page takes its in_progress contacts again). */
  starts: Map<number, number>;
  /** The most contacts in progress at once. */
  maxInProgress: number;
  /** Each warmTemplate call. */
  warmed: Seen<string>[];
}

/**
 * An in-memory campaign behind the campaign workflow's activities, with the same rules as
 * activities/campaignFeed.ts: a page takes pending and in_progress contacts after the cursor.
 */
export function fakeCampaign(clock: Clock, opts: FakeCampaignOptions): { activities: CampaignActivities; seen: CampaignSeen } {
  type FakeContact = { id: number; state: 'pending' | 'in_progress' | 'done' | 'cancelled'; startedAtMs: number };
  const contacts: FakeContact[] = Array.from({ length: opts.contacts }, (_, i) => ({ id: i + 1, state: 'pending', startedAtMs: 0 }));
  const seen: CampaignSeen = { status: [], pages: [], completed: [], woken: [], cancelled: [], starts: new Map(), maxInProgress: 0, warmed: [] };
  const settle = (atMs: number): void => {
    for (const c of contacts) if (c.state === 'in_progress' && atMs >= c.startedAtMs + opts.contactRunsMs) c.state = 'done';
  };
  const count = (state: string): number => contacts.filter((c) => c.state === state).length;
  const activities: CampaignActivities = {
    async campaignStatus(_campaignId) {
      const atMs = await clock();
      settle(atMs);
      for (let k = opts.added?.(seen.status.length) ?? 0; k > 0; k--) {
        contacts.push({ id: contacts.length + 1, state: 'pending', startedAtMs: 0 });
      }
      const status: CampaignStatus = {
        state: opts.state?.(seen.status.length) ?? 'running', maxInFlight: opts.maxInFlight,
        pending: count('pending'), inProgress: count('in_progress'), started: contacts.length - count('pending'),
      };
      seen.status.push({ args: status, atMs });
      return status;
    },
    async startContactPage(req) {
      const atMs = await clock();
      settle(atMs);
      const page = contacts.filter((c) => c.id > req.afterId && (c.state === 'pending' || c.state === 'in_progress')).slice(0, req.limit);
      for (const c of page) {
        if (c.state === 'pending') c.startedAtMs = atMs;
        c.state = 'in_progress';
        seen.starts.set(c.id, (seen.starts.get(c.id) ?? 0) + 1);
      }
      seen.maxInProgress = Math.max(seen.maxInProgress, count('in_progress'));
      const result = { started: page.length, lastId: page.length ? page[page.length - 1].id : req.afterId };
      seen.pages.push({ args: { req, result }, atMs });
      return result;
    },
    async completeCampaign(campaignId) {
      seen.completed.push({ args: campaignId, atMs: await clock() });
      return true;
    },
    async wakeContacts(_campaignId) {
      const atMs = await clock();
      settle(atMs);
      const inProgress = contacts.filter((c) => c.state === 'in_progress').map((c) => c.id);
      seen.woken.push({ args: inProgress, atMs });
      return { told: inProgress.length, notRunning: 0 };
    },
    async warmTemplate(campaignId) {
      const n = seen.warmed.length;
      seen.warmed.push({ args: campaignId, atMs: await clock() });
      const reply = opts.warm?.(n) ?? { spoken: 2, clips: 0 };
      if (reply instanceof Error) throw reply;
      return reply;
    },
    async cancelPendingContacts(_campaignId) {
      const pending = contacts.filter((c) => c.state === 'pending');
      for (const c of pending) c.state = 'cancelled';
      seen.cancelled.push({ args: pending.map((c) => c.id), atMs: await clock() });
      return pending.length;
    },
  };
  return { activities, seen };
}
