import type { GatedPrepare } from '../../activities/leanAttempt';
import type { ContactPhone, ContactPlan } from '../../domain/types';
import { checkGate, gateAndPrepare } from './activityProxies';
import { callableNow } from './callingHoursWait';
import type { Session } from './session';

// The gate step of an attempt: the workflow's gate for the number, and in a lean contact
// ('lean-attempt') the message prepared from the speech store in the same local activity,
// asked only when the number's calling hours are open now (else the wait sleeps first and the
// gate is asked again after it, so a message prepared before a sleep is never used).

/**
 * The gate's answer for `phone`; `prepared` is what the same step prepared from the store
 * (null: nothing asked, or the gate refused). The first attempt of a contact that asked the
 * gate with its plan takes that answer, when it is for this number and no moment is waited for.
 */
export async function askGate(s: Session, phone: ContactPhone, notBeforeMs: number | null): Promise<GatedPrepare> {
  const first = s.firstGate;
  s.firstGate = null;
  if (first && first.position === phone.position && notBeforeMs === null) return first;
  const { plan } = s;
  const question = { campaignId: plan.campaignId, contactId: plan.contactId, e164: phone.e164, zones: phone.zones };
  if (!s.lean) return { gate: await checkGate(question), prepared: null };
  const prepare = callableNow(s, phone, notBeforeMs ?? 0) ? prepareRequestOf(plan) : null;
  return gateAndPrepare({ ...question, prepare });
}

/** What the prepare step is asked for the plan's message (null: the campaign says nothing). */
function prepareRequestOf(p: ContactPlan): Parameters<typeof gateAndPrepare>[0]['prepare'] {
  if (p.templateId === null) return null;
  return { campaignId: p.campaignId, contactId: p.contactId, templateId: p.templateId, templateVersion: p.templateVersion ?? null };
}
