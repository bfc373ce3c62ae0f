import {
  ActivityFailure,
  ApplicationFailure,
  condition,
  isCancellation,
  patched,
  proxyActivities,
  proxyLocalActivities,
  setHandler,
  sleep,
  uuid4,
  workflowInfo,
} from '@temporalio/workflow';
import type { DialerActivities } from '../activities';
import type { TrunkDownDetails } from '../activities/call';
import type { CallOutcome } from '../domain/outcomes';
import { decide } from '../domain/decide';
import { answerHistoryQuery, nextAction } from '../domain/strategies/registry';
import { DEFAULT_STRATEGY, type AnswerHistory, type NextAction, type StrategyAttempt } from '../domain/strategies/strategy';
import { campaignChangedSignal, campaignResumedSignal, contactProgressQuery, type ContactProgress } from './signals';
import { nextAllowedMomentIn } from '../domain/callingSchedule';
import type { CallResult, ContactPhone, ContactPlan, ContactResult, GateDecision, PreparedAudio, PreparedMessage } from '../domain/types';

// The flow of one contact, as in docs/architecture.md: plan, then gate → wait → prepare → call → record → decide,
// for each of the contact's numbers in order. Short Postgres steps are local activities (no
// extra server round trip each); the call is one normal activity that heartbeats.

const { plan: loadPlan, gate: checkGate, prepare, record, finish: finishContact, speechFailed, answerRates: countAnswers } =
  proxyLocalActivities<DialerActivities>({
    startToCloseTimeout: '15 seconds',
    retry: {
      initialInterval: '200 ms', backoffCoefficient: 2, maximumInterval: '30 seconds',
      // Retrying cannot make a deleted contact exist: the workflow fails at once, naming it.
      nonRetryableErrorTypes: ['ContactNotFoundError'],
    },
  });

const { call: placeCall } = proxyActivities<DialerActivities>({
  // Ring time, the message, the DTMF wait and a conversation with an operator fit inside
  // this; a lost worker is noticed by the heartbeat timeout, not by this.
  startToCloseTimeout: '2 hours',
  heartbeatTimeout: '30 seconds',
  // A retried call activity could place a second call: the strategy decides about retries,
  // with the gate in front of every one, never Temporal's blind retry.
  retry: { maximumAttempts: 1 },
});

const { prepareMessage } = proxyActivities<DialerActivities>({
  // A few synthesis requests (usually none: the pieces are cached) and an assembly; a slow
  // speech service holds no channel, because the call takes its channel only after this.
  startToCloseTimeout: '2 minutes',
  retry: {
    // A network error, 429 or 5xx (SpeechUnavailableError) is retried with backoff, about eight
    // minutes in all; then the contact waits like after any other failure and tries again.
    initialInterval: '1 second', backoffCoefficient: 2, maximumInterval: '5 minutes', maximumAttempts: 10,
    // Retrying the same request cannot help: a refused key or request, a variable the contact
    // lacks or cannot have said, a clip whose audio is gone, a deleted contact.
    nonRetryableErrorTypes: [
      'SpeechRejectedError', 'TemplateVariableError', 'TemplateValueError', 'TemplateClipError',
      'AudioClipMissingError', 'ContactNotFoundError',
    ],
  },
});

/** How long a paused contact waits before it asks the gate again without a resume signal. */
const PAUSE_RECHECK = '5 minutes';
const PAUSE_RECHECK_MS = 5 * 60_000;

/**
 * Versioning of the wake-up by campaignChangedSignal: every wait (the hours, a retry, a refusal,
 * a pause) ends when the campaign changes, the plan is read again before the next gate, and
 * the wait for a retry comes after the gate like any other. Contacts that ran before it replay
 * as they ran (a signal an older worker ignored stays ignored).
 */
const WAKE_PATCH = 'campaign-changes-wake';

/**
 * Versioning of the decide step: the campaign's strategy from the registry
 * (domain/strategies) instead of decide(). Contacts that decided before it replay with decide().
 */
const STRATEGY_PATCH = 'strategy-registry';

/**
 * Versioning of the answer counts: a strategy that decides on the attempt rows (bestHour) gets
 * them from a local activity before each decision. Only such strategies ask, so no other
 * contact's history changes; contacts that decided without them replay without them.
 */
const ESTIMATES_PATCH = 'best-hour-estimates';

/**
 * Versioning of the prepare step: a normal activity before every attempt that makes the message
 * into audio through the speech port and returns media references only (the text stays in
 * Postgres); a failure makes the contact wait ('speech_failure') and try again, never call.
 * Contacts that prepared before it replay with the local prepare, whose result held the text.
 */
const SPEECH_PATCH = 'speech-prepare';

/**
 * Versioning of a dead trunk: a call the trunk did not carry (the call activity's
 * TrunkDownError: the trunk offline, no channel for the call, the carrier refusing us) is no
 * attempt: nothing is recorded and the strategy is not asked; the contact waits as the activity
 * said (its wait is trunk_down) and asks the gate again. Contacts that met such a failure
 * before it replay with the failed attempt they recorded.
 */
const TRUNK_DOWN_PATCH = 'trunk-down-waits';
/** A number the carrier refused this many times in a row is left for the next one (still no attempt). */
const REFUSALS_BEFORE_NEXT_NUMBER = 5;
/** The longest a contact waits for a trunk before it asks again (a campaign change wakes it sooner). */
const TRUNK_WAIT_MAX_MS = 10 * 60_000;

/** The last attempt on a number asked for a retry: what it ended with, when, and the counts it was decided on. */
interface PendingRetry {
  outcome: CallOutcome;
  decidedAtMs: number;
  history?: AnswerHistory[];
}

export interface ContactInput {
  campaignId: string;
  contactId: number;
}


export async function contactWorkflow(input: ContactInput): Promise<ContactResult> {
  const { workflowId } = workflowInfo();
  const progress: ContactProgress = {
    step: 'gate', phonePosition: null, attempts: 0, lastOutcome: null, sleepingUntil: null,
  };
  let resumes = 0;
  /** Changes of the campaign signalled so far, and how many of them the plan has seen. */
  let changes = 0;
  let planned = 0;
  setHandler(contactProgressQuery, () => progress);
  setHandler(campaignResumedSignal, () => void resumes++);
  setHandler(campaignChangedSignal, () => void changes++);

  planned = changes;
  let plan = await loadPlan(input.contactId);
  const perNumber = plan.phones.map((p) => ({ position: p.position, attempts: 0, lastOutcome: null as CallOutcome | null }));
  let seq = 0;
  let message: PreparedMessage | null = null;
  let blacklistedNumbers = 0;
  let expiredNumbers = 0;
  /** Every attempt so far (refusals are not attempts): what a strategy decides on. */
  const attemptLog: StrategyAttempt[] = [];

  const finish = async (state: ContactResult['state'], outcome: CallOutcome | null): Promise<ContactResult> => {
    progress.step = 'finished';
    await finishContact({ contactId: plan.contactId, state, outcome });
    return { contactId: plan.contactId, state, outcome, attempts: progress.attempts, perNumber };
  };

  numbers: for (const [index, phone] of plan.phones.entries()) {
    progress.phonePosition = phone.position;
    const tally = perNumber[index];
    /** The carrier's refusals of this number in a row (TrunkDownError, reason refused). */
    let refusalsInARow = 0;
    let retry: PendingRetry | null = null;

    for (;;) {
      // The campaign changed since the plan was read (new hours, a new strategy): read it again.
      await replanIfChanged();
      const notBeforeMs = retry && retryMoment(retry, phone, tally.attempts);
      if (notBeforeMs === 'next_number') continue numbers;
      if (notBeforeMs === 'give_up') return finish('failed', progress.lastOutcome);

      // gate
      progress.step = 'gate';
      const gate = await checkGate({ campaignId: plan.campaignId, contactId: plan.contactId, e164: phone.e164, zones: phone.zones });
      if (!gate.allowed) {
        const next = await onRefusal(gate, phone, true);
        if (next === 'stop') return finish('cancelled', null);
        if (next === 'next_number') { blacklistedNumbers++; continue numbers; }
        continue;
      }

      // wait
      const waited = await waitForCallingHours(phone, notBeforeMs ?? 0);
      if (waited === 'never') {
        // This number has no calling hours left (its zones never overlap the hours, or the
        // campaign's end has passed there); another number may be in a zone that still has
        // some. Versioned: contacts started before this change replay as they ran.
        if (!patched('expired-number-moves-on')) return finish('expired', progress.lastOutcome);
        expiredNumbers++;
        continue numbers;
      }
      if (waited === 'slept') continue; // time passed: the gate speaks again first

      // prepare
      progress.step = 'prepare';
      let media: string[];
      let messageText: string | null = null;
      let preparedId: number | null = null;
      if (patched(SPEECH_PATCH)) {
        const prepared = await prepareSpeech();
        if (prepared === 'waited') continue; // the gate speaks again first
        ({ media, preparedId } = prepared);
      } else {
        message ??= await prepare({ contactId: plan.contactId, templateId: plan.templateId });
        ({ media, text: messageText } = message);
      }

      // call
      progress.step = 'call';
      retry = null;
      seq++;
      const called = await attemptCall(plan, phone, seq, media, gate);
      if ('trunkDown' in called) {
        // The trunk carried nothing: no attempt, nothing to record, no strategy to ask. The
        // call activity gave the cap slot back and wrote the contact's wait.
        const down = called.trunkDown;
        if (down.reason === 'refused' && ++refusalsInARow >= REFUSALS_BEFORE_NEXT_NUMBER) continue numbers;
        progress.step = 'wait';
        await sleepUntil(Date.now() + Math.min(TRUNK_WAIT_MAX_MS, Math.max(1000, down.retryAfterMs)));
        continue;
      }
      refusalsInARow = 0;
      const result = called;

      // record
      progress.step = 'record';
      const refused = result.outcome === 'refused';
      await record({
        workflowId, seq, campaignId: plan.campaignId, contactId: plan.contactId,
        phonePosition: phone.position, e164: phone.e164, zones: phone.zones,
        numberAttempt: refused ? 0 : tally.attempts + 1,
        result, messageText: refused ? null : messageText, countUnanswered: plan.countUnanswered,
        ...(preparedId === null ? {} : { preparedId: refused ? null : preparedId }),
      });
      if (!result.gate.allowed) {
        // The call activity's last look, with the real clock and the caps in one transaction,
        // said no: nothing was dialled.
        const next = await onRefusal(result.gate, phone, false);
        if (next === 'stop') return finish('cancelled', null);
        if (next === 'next_number') { blacklistedNumbers++; continue numbers; }
        continue;
      }
      tally.attempts++;
      tally.lastOutcome = result.outcome;
      progress.attempts++;
      progress.lastOutcome = result.outcome;
      attemptLog.push({ position: phone.position, outcome: result.outcome, atMs: Date.now() });

      // decide
      progress.step = 'decide';
      if (patched(STRATEGY_PATCH)) {
        // The strategy only says when; the retry waits after the gate like any wait.
        const history = await answerHistoryFor(phone, Date.now());
        const action = strategyAction(phone, Date.now(), history);
        if (action.kind === 'done') return finish('done', result.outcome);
        if (action.kind === 'give_up') return finish('failed', result.outcome);
        if (action.kind === 'next_number') continue numbers;
        retry = { outcome: result.outcome, decidedAtMs: Date.now(), ...(history ? { history } : {}) };
        continue;
      }
      const decision = decide(plan.strategy, result.outcome, tally.attempts);
      if (decision.kind === 'done') return finish('done', result.outcome);
      if (decision.kind === 'next_number') continue numbers;
      if (patched(WAKE_PATCH)) {
        // The retry waits after the gate, as any wait does, so a stop, new hours or a new
        // interval meanwhile are seen when they happen, not when the old interval ends.
        retry = { outcome: result.outcome, decidedAtMs: Date.now() };
        continue;
      }
      await sleepUntil(Date.now() + decision.afterMs);
    }
  }
  const allBlacklisted = blacklistedNumbers === plan.phones.length;
  if (allBlacklisted) return finish('blacklisted', progress.lastOutcome);
  // No number is left to try: 'expired' when time ran out on every number that was not
  // blacklisted before any of them was answered; otherwise the strategy gave up ('failed').
  const timeRanOut = expiredNumbers > 0 && expiredNumbers + blacklistedNumbers === plan.phones.length;
  return finish(timeRanOut ? 'expired' : 'failed', progress.lastOutcome);

  /**
   * What a refusal means for the loop. A refusal of the workflow's own gate is recorded here
   * as proof (the call activity's refusals are recorded by the loop); a pause is not, or a
   * paused campaign would write a row per contact every few minutes.
   */
  async function onRefusal(
    gate: Extract<GateDecision, { allowed: false }>, phone: ContactPhone, writeProof: boolean,
  ): Promise<'again' | 'next_number' | 'stop'> {
    if (writeProof && gate.refusal !== 'campaign_paused') {
      seq++;
      await record({
        workflowId, seq, campaignId: plan.campaignId, contactId: plan.contactId,
        phonePosition: phone.position, e164: phone.e164, zones: phone.zones, numberAttempt: 0,
        messageText: null, countUnanswered: plan.countUnanswered,
        result: {
          outcome: 'refused', gate, channelId: null, hangupCause: null, dtmf: null,
          listenedMs: null, startedAt: gate.checkedAt, answeredAt: null, endedAt: gate.checkedAt,
        },
      });
    }
    switch (gate.refusal) {
      case 'blacklisted':
        return 'next_number';
      case 'campaign_stopped':
        return 'stop';
      case 'campaign_paused': {
        progress.step = 'paused';
        const seen = resumes;
        if (patched(WAKE_PATCH)) await condition(() => resumes > seen || changes > planned, PAUSE_RECHECK);
        else await condition(() => resumes > seen, PAUSE_RECHECK);
        return 'again';
      }
      case 'cap_reached':
      case 'outside_window':
        // The caps free a slot at a known moment; the hours may disagree with the timer that
        // woke us (it fired late or early, or the settings changed): sleep and ask again.
        progress.step = 'wait';
        await sleepUntil(gate.retryAt ? Date.parse(gate.retryAt) : Date.now() + PAUSE_RECHECK_MS);
        return 'again';
    }
  }

  /**
   * The message made into audio for this attempt (cheap when its pieces are cached: the store
   * keeps every file touched within the hour, so the media exist when the call plays them).
   * When it cannot be made (after the retry policy's retries, or at once for what retrying
   * cannot mend) nothing is dialled and no attempt is spent: the contact's wait names the
   * error, and it waits until the campaign changes or PAUSE_RECHECK has passed: 'waited'.
   */
  async function prepareSpeech(): Promise<PreparedAudio | 'waited'> {
    if (plan.templateId === null) return { preparedId: null, media: [], durationMs: 0 };
    try {
      return await prepareMessage({
        campaignId: plan.campaignId, contactId: plan.contactId, templateId: plan.templateId,
        templateVersion: plan.templateVersion ?? null,
      });
    } catch (err) {
      if (!(err instanceof ActivityFailure) || isCancellation(err)) throw err;
      const cause = err.cause;
      // A deleted contact ends the workflow, as the plan step's does.
      if (cause instanceof ApplicationFailure && cause.type === 'ContactNotFoundError') throw err;
      await speechFailed({ campaignId: plan.campaignId, contactId: plan.contactId, detail: failureDetail(err) });
      progress.step = 'wait';
      await condition(() => changes > planned, PAUSE_RECHECK);
      return 'waited';
    }
  }

  /**
   * Sleeps until the number's calling hours, not before `notBeforeMs` (a retry's moment);
   * 'never' when the schedule has none left. 'slept' also when a change of the campaign woke it.
   */
  async function waitForCallingHours(phone: ContactPhone, notBeforeMs: number): Promise<'now' | 'slept' | 'never'> {
    const now = Date.now();
    const at = nextAllowedMomentIn(plan.schedule, phone.zones, Math.max(now, notBeforeMs));
    if (at === null) return 'never';
    if (at <= now) return 'now';
    progress.step = 'wait';
    await sleepUntil(at);
    return 'slept';
  }

  /** Sleeps until `atMs`, or until the campaign changes: 'woken' then. */
  async function sleepUntil(atMs: number): Promise<'slept' | 'woken'> {
    if (!patched(WAKE_PATCH)) {
      progress.sleepingUntil = new Date(atMs).toISOString();
      await sleep(Math.max(0, atMs - Date.now()));
      progress.sleepingUntil = null;
      return 'slept';
    }
    if (changes > planned) return 'woken';
    progress.sleepingUntil = new Date(atMs).toISOString();
    const woken = await condition(() => changes > planned, Math.max(0, atMs - Date.now()));
    progress.sleepingUntil = null;
    return woken ? 'woken' : 'slept';
  }

  /** Reads the plan again when the campaign changed since it was read. */
  async function replanIfChanged(): Promise<void> {
    if (changes === planned || !patched(WAKE_PATCH)) return;
    planned = changes;
    const fresh = await loadPlan(input.contactId);
    if (fresh.templateId !== plan.templateId) message = null;
    // The loop walks the numbers it started with; everything else is the campaign's of now.
    plan = { ...fresh, phones: plan.phones };
  }

  /**
   * The answer counts the plan's strategy decides on, when it asks for them (bestHour): for the
   * number just called, on the workflow's clock. Others decide without the query.
   */
  async function answerHistoryFor(phone: ContactPhone, nowMs: number): Promise<AnswerHistory[] | undefined> {
    const query = answerHistoryQuery(plan.strategyChoice ?? DEFAULT_STRATEGY);
    if (!query || !patched(ESTIMATES_PATCH)) return undefined;
    return [await countAnswers({
      campaignId: plan.campaignId, position: phone.position, e164: phone.e164, zone: phone.zones[0] ?? 'UTC', nowMs, ...query,
    })];
  }

  /**
   * What the campaign's strategy of now says after the last attempt (on `phone`). The loop walks
   * the numbers in order: a call of another number is not something it can do yet, and no
   * built-in strategy asks for one, so it is taken as "move on".
   */
  function strategyAction(phone: ContactPhone, nowMs: number, answerHistory?: AnswerHistory[]): NextAction {
    const action = nextAction(plan.strategyChoice ?? DEFAULT_STRATEGY, {
      numbers: plan.phones.map((p) => ({ position: p.position, kind: p.kind ?? null, zones: p.zones })),
      attempts: attemptLog, nowMs, campaign: plan.strategy,
      schedule: plan.schedule, ...(answerHistory ? { answerHistory } : {}),
    });
    return action.kind === 'call' && action.position !== phone.position ? { kind: 'next_number' } : action;
  }

  /**
   * When a number asked to be retried may be called again, under the strategy of now (a
   * changed interval moves the moment; fewer attempts may give the number up).
   */
  function retryMoment(r: PendingRetry, phone: ContactPhone, attempts: number): number | 'next_number' | 'give_up' {
    if (patched(STRATEGY_PATCH)) {
      const a = strategyAction(phone, r.decidedAtMs, r.history);
      if (a.kind === 'next_number' || a.kind === 'give_up') return a.kind;
      // 'done' only where the settings changed under the retry (a machine now leaves a
      // message): nothing was left on it yet, so the number is tried again, gate first.
      return a.kind === 'call' ? a.notBefore : r.decidedAtMs;
    }
    const d = decide(plan.strategy, r.outcome, attempts);
    if (d.kind === 'next_number') return 'next_number';
    // 'done' only where a machine's action became leave_message: no message was left on it
    // yet, so the number is retried after the interval.
    return r.decidedAtMs + (d.kind === 'retry_number' ? d.afterMs : plan.strategy.retryIntervalSeconds * 1000);
  }

  async function attemptCall(
    p: ContactPlan, phone: ContactPhone, n: number, media: string[], gate: GateDecision,
  ): Promise<CallResult | { trunkDown: TrunkDownDetails }> {
    // Fixed-width channel ids: Asterisk refuses an id that is a prefix of a live one.
    const channelId = uuid4();
    const startedAt = new Date().toISOString();
    try {
      return await placeCall({
        workflowId, seq: n, channelId, campaignId: p.campaignId, contactId: p.contactId,
        e164: phone.e164, callerId: p.callerId, ringTimeoutSeconds: p.ringTimeoutSeconds,
        media, zones: phone.zones, handling: p.handling,
      });
    } catch (err) {
      if (!(err instanceof ActivityFailure)) throw err;
      const down = trunkDownOf(err);
      if (down && patched(TRUNK_DOWN_PATCH)) return { trunkDown: down };
      // The worker died or the activity failed mid-call: the attempt counts (a call may have
      // been placed) and the strategy decides about a retry, with the gate in front of it.
      const now = new Date().toISOString();
      return {
        outcome: 'failed',
        gate: { ...gate, checks: [...gate.checks, { rule: 'call_activity', passed: false, detail: err.cause?.message ?? err.message }] },
        channelId, hangupCause: null, dtmf: null, listenedMs: null, startedAt, answeredAt: null, endedAt: now,
      };
    }
  }
}

/** The trunk that did not carry a call, from the call activity's TrunkDownError; null for any other failure. */
function trunkDownOf(err: ActivityFailure): TrunkDownDetails | null {
  const cause = err.cause;
  if (!(cause instanceof ApplicationFailure) || cause.type !== 'TrunkDownError') return null;
  const d = (cause.details ?? [])[0] as Partial<TrunkDownDetails> | undefined;
  return {
    trunk: typeof d?.trunk === 'string' ? d.trunk : 'unknown',
    reason: d?.reason ?? 'unknown',
    retryAfterMs: typeof d?.retryAfterMs === 'number' ? d.retryAfterMs : 30_000,
    sipCode: typeof d?.sipCode === 'number' ? d.sipCode : null,
  };
}

/**
 * What a failed prepare is called in the contact's wait: the activity's own detail (the error
 * type with a status, a variable's or a clip's name), else the failure's type ('timeout').
 */
function failureDetail(err: ActivityFailure): string {
  const cause = err.cause;
  if (cause instanceof ApplicationFailure) {
    const [first] = cause.details ?? [];
    const detail = (first as { detail?: unknown } | undefined)?.detail;
    return typeof detail === 'string' ? detail : cause.type ?? 'ApplicationFailure';
  }
  return cause?.name === 'TimeoutFailure' ? 'timeout' : (cause?.name ?? 'unknown');
}
