import {
  ActivityFailure,
  condition,
  proxyActivities,
  proxyLocalActivities,
  setHandler,
  sleep,
  uuid4,
  workflowInfo,
} from '@temporalio/workflow';
import type { DialerActivities } from '../activities';
import type { CallOutcome } from './outcomes';
import { decideAfterAttempt } from './retryStrategy';
import { campaignResumedSignal, contactProgressQuery, type ContactProgress } from './signals';
import { nextAllowedMoment } from './timeWindow';
import type {
  CallResult,
  ContactPhone,
  ContactPlan,
  ContactResult,
  GateDecision,
  GateRefusal,
  PreparedMessage,
} from './types';

// The flow of one contact, as in DESIGN.md: gate → wait → prepare → call → record → decide,
// for each of the contact's numbers in order. Short Postgres steps are local activities (no
// extra server round trip each); the call is one normal activity that heartbeats.

const { loadContactPlan, checkGate, prepareMessage, recordAttempt, finishContact } =
  proxyLocalActivities<DialerActivities>({
    startToCloseTimeout: '15 seconds',
    retry: { initialInterval: '200 ms', backoffCoefficient: 2, maximumInterval: '30 seconds' },
  });

const { placeCall } = proxyActivities<DialerActivities>({
  // Ring time, the message and the DTMF wait fit well inside this; a lost worker is noticed
  // by the heartbeat timeout, not by this.
  startToCloseTimeout: '15 minutes',
  heartbeatTimeout: '30 seconds',
  // A retried call activity could place a second call: the strategy decides about retries,
  // with the gate in front of every one, never Temporal's blind retry.
  retry: { maximumAttempts: 1 },
});

/** How long a paused contact waits before it asks the gate again without a resume signal. */
const PAUSE_RECHECK = '5 minutes';

export interface ContactInput {
  campaignId: string;
  contactId: number;
}

type Refused = { refusal: GateRefusal };

export async function contactWorkflow(input: ContactInput): Promise<ContactResult> {
  const { workflowId } = workflowInfo();
  const progress: ContactProgress = {
    step: 'gate', phonePosition: null, attempts: 0, lastOutcome: null, sleepingUntil: null,
  };
  let resumes = 0;
  setHandler(contactProgressQuery, () => progress);
  setHandler(campaignResumedSignal, () => void resumes++);

  const plan = await loadContactPlan(input.contactId);
  const perNumber = plan.phones.map((p) => ({ position: p.position, attempts: 0, lastOutcome: null as CallOutcome | null }));
  let seq = 0;
  let message: PreparedMessage | null = null;
  let blacklistedNumbers = 0;

  const finish = async (state: ContactResult['state'], outcome: CallOutcome | null): Promise<ContactResult> => {
    progress.step = 'finished';
    await finishContact({ contactId: plan.contactId, state, outcome });
    return { contactId: plan.contactId, state, outcome, attempts: progress.attempts, perNumber };
  };

  for (const [index, phone] of plan.phones.entries()) {
    progress.phonePosition = phone.position;
    const tally = perNumber[index];

    for (;;) {
      // gate
      progress.step = 'gate';
      const gate = await checkGate({ campaignId: plan.campaignId, e164: phone.e164 });
      if (!gate.allowed) {
        const next = await onRefusal({ refusal: gate.refusal }, gate, phone);
        if (next === 'stop') return finish('cancelled', null);
        if (next === 'next_number') { blacklistedNumbers++; break; }
        continue;
      }

      // wait
      if (await waitForWindow(plan)) continue; // time passed: the gate speaks again first

      // prepare
      progress.step = 'prepare';
      message ??= await prepareMessage({ contactId: plan.contactId, templateId: plan.templateId });

      // call
      progress.step = 'call';
      seq++;
      const result = await call(plan, phone, seq, message, gate);

      // record
      progress.step = 'record';
      const refusedAtCall = result.outcome === 'refused' && !result.gate.allowed;
      await recordAttempt({
        workflowId, seq, campaignId: plan.campaignId, contactId: plan.contactId,
        phonePosition: phone.position, e164: phone.e164,
        numberAttempt: tally.attempts + (refusedAtCall ? 0 : 1),
        result, messageText: refusedAtCall ? null : message.text,
      });
      if (result.outcome === 'refused' && !result.gate.allowed) {
        // The call activity's last look at the real clock said no: nothing was dialled.
        const next = await onRefusal({ refusal: result.gate.refusal }, null, phone);
        if (next === 'stop') return finish('cancelled', null);
        if (next === 'next_number') { blacklistedNumbers++; break; }
        continue;
      }
      tally.attempts++;
      tally.lastOutcome = result.outcome;
      progress.attempts++;
      progress.lastOutcome = result.outcome;

      // decide
      progress.step = 'decide';
      const decision = decideAfterAttempt(plan.strategy, result.outcome, tally.attempts);
      if (decision.kind === 'done') return finish('done', result.outcome);
      if (decision.kind === 'next_number') break;
      await sleepUntil(Date.now() + decision.afterMs);
    }
  }
  const allBlacklisted = blacklistedNumbers === plan.phones.length;
  return finish(allBlacklisted ? 'blacklisted' : 'failed', progress.lastOutcome);

  /** What a refusal means for the loop; a gate refusal is also recorded as proof. */
  async function onRefusal(
    refused: Refused, gate: GateDecision | null, phone: ContactPhone,
  ): Promise<'again' | 'next_number' | 'stop'> {
    if (gate && refused.refusal !== 'campaign_paused') {
      seq++;
      const now = new Date().toISOString();
      await recordAttempt({
        workflowId, seq, campaignId: plan.campaignId, contactId: plan.contactId,
        phonePosition: phone.position, e164: phone.e164, numberAttempt: 0, messageText: null,
        result: {
          outcome: 'refused', gate, channelId: null, hangupCause: null, dtmf: null,
          listenedMs: null, startedAt: now, answeredAt: null, endedAt: now,
        },
      });
    }
    switch (refused.refusal) {
      case 'blacklisted':
        return 'next_number';
      case 'campaign_stopped':
        return 'stop';
      case 'campaign_paused': {
        progress.step = 'paused';
        const seen = resumes;
        await condition(() => resumes > seen, PAUSE_RECHECK);
        return 'again';
      }
      case 'outside_window':
        // The timer fired, but the wall clock at the call disagreed (a late or early timer,
        // or clock skew): wait for the window by the workflow's clock again.
        await waitForWindow(plan);
        return 'again';
    }
  }

  /** Sleeps until the window opens; true when it slept. */
  async function waitForWindow(p: ContactPlan): Promise<boolean> {
    const at = nextAllowedMoment(Date.now(), p.window, p.timeZone);
    if (at <= Date.now()) return false;
    progress.step = 'wait';
    await sleepUntil(at);
    return true;
  }

  async function sleepUntil(atMs: number): Promise<void> {
    progress.sleepingUntil = new Date(atMs).toISOString();
    await sleep(Math.max(0, atMs - Date.now()));
    progress.sleepingUntil = null;
  }

  async function call(
    p: ContactPlan, phone: ContactPhone, n: number, msg: PreparedMessage, gate: GateDecision,
  ): Promise<CallResult> {
    // Fixed-width channel ids: Asterisk refuses an id that is a prefix of a live one.
    const channelId = uuid4();
    const startedAt = new Date().toISOString();
    try {
      return await placeCall({
        workflowId, seq: n, channelId, campaignId: p.campaignId, contactId: p.contactId,
        e164: phone.e164, callerId: p.callerId, ringTimeoutSeconds: p.ringTimeoutSeconds,
        media: msg.media, timeZone: p.timeZone, window: p.window,
      });
    } catch (err) {
      if (!(err instanceof ActivityFailure)) throw err;
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
