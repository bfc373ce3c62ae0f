import type { CallOutcome } from '../../../domain/outcomes';
import { REACHED } from '../../../domain/strategies/strategy';
import type { ContactPhone, ContactResult } from '../../../domain/types';
import { nextLocalHours, openContact, type AttemptResult, type ContactInput } from '../../contactSteps';

// A whole strategy workflow, built only from the contact step library (README.md beside it):
// call the mobile; if it is busy twice, wait for the evening (18:00 the subscriber's time) and
// call home. Every call still goes through the gate, the calling hours, the caps and the proof
// row, because attemptCall is the only way to a call.

/** The subscriber's evening, local: when someone busy on the mobile by day is home. */
const EVENING: readonly [string, string] = ['18:00', '24:00'];
/** Busy this many times on the mobile: they are at work; try home in the evening. */
const BUSY_BEFORE_EVENING = 2;

export async function mobileThenHome(input: ContactInput): Promise<ContactResult> {
  const contact = await openContact(input);
  const { mobile, home } = mobileAndHome(contact.phones);
  /** Why each number was left without reaching anyone, for the contact's end state. */
  const left: AttemptResult['kind'][] = [];
  const reached = (outcome: CallOutcome): boolean =>
    REACHED.has(outcome) || (outcome === 'machine' && contact.plan.strategy.machineAction === 'leave_message');

  // The mobile: the campaign's attempts per number, its interval apart, until busy twice.
  let busy = 0;
  let notBefore: number | undefined;
  let homeNotBefore: number | undefined;
  for (let n = 0; n < contact.plan.strategy.maxAttemptsPerNumber; n++) {
    const r = await contact.attemptCall(mobile, { notBefore });
    if (r.kind === 'stopped') return contact.finish('cancelled', null);
    if (r.kind !== 'attempted') { left.push(r.kind); break; }
    if (reached(r.outcome)) return contact.finish('done', r.outcome);
    if (r.outcome === 'invalid_number') break;
    if (r.outcome === 'busy' && ++busy === BUSY_BEFORE_EVENING) {
      homeNotBefore = nextLocalHours(Date.now(), home?.zones[0] ?? 'UTC', EVENING);
      break;
    }
    notBefore = Date.now() + contact.plan.strategy.retryIntervalSeconds * 1000;
  }

  // Home: at once when the mobile was left for another reason, else from the evening on.
  notBefore = homeNotBefore;
  for (let n = 0; home && n < contact.plan.strategy.maxAttemptsPerNumber; n++) {
    const r = await contact.attemptCall(home, { notBefore });
    if (r.kind === 'stopped') return contact.finish('cancelled', null);
    if (r.kind !== 'attempted') { left.push(r.kind); break; }
    if (reached(r.outcome)) return contact.finish('done', r.outcome);
    if (r.outcome === 'invalid_number') break;
    notBefore = Date.now() + contact.plan.strategy.retryIntervalSeconds * 1000;
  }

  const numbers = home ? 2 : 1;
  if (left.length === numbers && left.every((k) => k === 'blacklisted')) return contact.finish('blacklisted', contact.lastOutcome);
  if (left.length === numbers && left.every((k) => k === 'no_calling_hours')) return contact.finish('expired', contact.lastOutcome);
  return contact.finish('failed', contact.lastOutcome);
}

/**
 * The mobile and the home number: by their kind when the contact's numbers have one, else the
 * first and the second. Further numbers are not called.
 */
function mobileAndHome(phones: readonly ContactPhone[]): { mobile: ContactPhone; home: ContactPhone | null } {
  const mobile = phones.find((p) => p.kind === 'mobile') ?? phones[0];
  if (!mobile) throw new Error('the contact has no number');
  const home = phones.find((p) => p !== mobile && p.kind === 'home') ?? phones.find((p) => p !== mobile) ?? null;
  return { mobile, home };
}
