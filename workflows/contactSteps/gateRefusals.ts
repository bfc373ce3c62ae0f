import { condition, patched } from '@temporalio/workflow';
import type { ContactPhone, ContactResult, GateDecision } from '../../domain/types';
import { record } from './activityProxies';
import { WAKE_PATCH } from './patches';
import { sleepUntil, type Session } from './session';

/** How long a paused contact waits before it asks the gate again without a resume signal. */
const PAUSE_RECHECK = '5 minutes';
export const PAUSE_RECHECK_MS = 5 * 60_000;

/**
 * The rules that refused a number of each session for good. Kept beside the session rather than
 * in it, and filled on replay as when it ran: the end it decides is an argument of finishContact,
 * which replay does not compare, so no patch is needed.
 */
const refusedForGood = new WeakMap<Session, Set<string>>();

/**
 * How a contact whose every number was refused for good ends: 'blacklisted' when every refusal
 * was the blacklist's, else 'refused' (consent or the refusal list of mass calls said no; each
 * rule is in its attempt row's proof).
 */
export function endOfRefusedNumbers(s: Session): Extract<ContactResult['state'], 'blacklisted' | 'refused'> {
  const rules = refusedForGood.get(s);
  return !rules || [...rules].every((r) => r === 'blacklisted') ? 'blacklisted' : 'refused';
}

/**
 * What a refusal means for the contact: ask the gate again ('again', after the wait the refusal
 * calls for: a resume, a free cap slot, the window), leave the number ('next_number': it is
 * blacklisted, or its subscriber refused mass calls), or end ('stop': the campaign was stopped).
 * A refusal of the workflow's own gate is recorded here as proof (the call activity's refusals
 * are recorded by the record step); a pause is not, or a paused campaign would write a row per
 * contact every few minutes.
 */
export async function onRefusal(
  s: Session, gate: Extract<GateDecision, { allowed: false }>, phone: ContactPhone, writeProof: boolean,
): Promise<'again' | 'next_number' | 'stop'> {
  const { plan } = s;
  if (writeProof && gate.refusal !== 'campaign_paused') {
    s.seq++;
    await record({
      workflowId: s.workflowId, seq: s.seq, campaignId: plan.campaignId, contactId: plan.contactId,
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
    case 'mass_call_refused':
    case 'no_consent': {
      // The number may not be called (the blacklist, the refusal list of mass calls, no consent): the next one.
      const rules = refusedForGood.get(s) ?? new Set<string>();
      refusedForGood.set(s, rules.add(gate.refusal));
      return 'next_number';
    }
    case 'campaign_stopped':
      return 'stop';
    case 'campaign_paused': {
      s.progress.step = 'paused';
      const seen = s.resumes;
      if (patched(WAKE_PATCH)) await condition(() => s.resumes > seen || s.changes > s.planned, PAUSE_RECHECK);
      else await condition(() => s.resumes > seen, PAUSE_RECHECK);
      return 'again';
    }
    case 'cap_reached':
    case 'outside_window':
      // The caps free a slot at a known moment; the hours may disagree with the timer that
      // woke us (it fired late or early, or the settings changed): sleep and ask again.
      s.progress.step = 'wait';
      await sleepUntil(s, gate.retryAt ? Date.parse(gate.retryAt) : Date.now() + PAUSE_RECHECK_MS);
      return 'again';
  }
}
