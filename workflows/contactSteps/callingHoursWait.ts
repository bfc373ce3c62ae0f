import { nextAllowedMomentIn } from '../../domain/callingSchedule';
import type { ContactPhone } from '../../domain/types';
import { sleepUntil, type Session } from './session';

/** Whether the number may be called now by its calling hours, not before `notBeforeMs` (waitForCallingHours would not sleep). */
export function callableNow(s: Session, phone: ContactPhone, notBeforeMs: number): boolean {
  const now = Date.now();
  const at = nextAllowedMomentIn(s.plan.schedule, phone.zones, Math.max(now, notBeforeMs));
  return at !== null && at <= now;
}

/**
 * Sleeps until the number's calling hours, not before `notBeforeMs` (a retry's moment);
 * 'never' when the schedule has none left. 'slept' also when a change of the campaign woke it:
 * time passed, so the gate speaks again first.
 */
export async function waitForCallingHours(s: Session, phone: ContactPhone, notBeforeMs: number): Promise<'now' | 'slept' | 'never'> {
  const now = Date.now();
  const at = nextAllowedMomentIn(s.plan.schedule, phone.zones, Math.max(now, notBeforeMs));
  if (at === null) return 'never';
  if (at <= now) return 'now';
  s.progress.step = 'wait';
  await sleepUntil(s, at);
  return 'slept';
}
