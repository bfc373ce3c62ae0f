import type { GateDecision } from './types';

// What a contact waits for, in words people read when they ask "why is nothing dialing?".
// The steps write a contact's current wait as one small row (table contact_wait, whose CHECK
// holds the same list); the API groups a campaign's rows, adds the waits kept elsewhere (a
// channel slot, contacts not started, contacts with no number left) and says when each group
// may be called next.

/** Waits a contact's own steps record (gate, record). */
export const CONTACT_WAIT_REASONS = [
  'calling_hours', // the number's calling hours (detail: its zones), until they open
  'cap', // a cap per person or per number is full (detail: the rules), until a slot frees
  'paused', // the campaign is paused (or not started): until it is resumed
  'retry_interval', // the strategy's interval after an attempt (detail: that attempt's outcome)
  // The message could not be made into speech (detail: the error type with its HTTP status, or
  // the variable or clip it lacks): nothing is dialled until prepare succeeds.
  'speech_failure',
  'trunk_down', // the call found its trunk down (detail: the trunk and why): until it is back
] as const;
export type ContactWaitReason = (typeof CONTACT_WAIT_REASONS)[number];

/** Every group of campaignWaits: the contacts' own waits and those read from elsewhere. */
export const WAIT_GROUPS = [
  ...CONTACT_WAIT_REASONS,
  'channel', // a call waits for a free channel (detail: the campaign's or the trunk's limit)
  'not_started', // pending rows: no workflow yet (detail: why the campaign has not started them)
  'no_callable_number', // finished with no number left to call (detail: blacklisted or expired)
] as const;
export type WaitGroup = (typeof WAIT_GROUPS)[number];

export interface ContactWait {
  reason: ContactWaitReason;
  /** Zones, rule names or an outcome: never a number or a name. */
  detail: string | null;
  /** ISO moment the contact may be called again; null when it waits for something else. */
  until: string | null;
}

/**
 * The wait a gate refusal puts the contact in; null when the refusal is not a wait (the number
 * is blacklisted and the next one is tried, or the campaign is stopped and the contact ends).
 */
export function waitOfRefusal(gate: Extract<GateDecision, { allowed: false }>, zones: readonly string[]): ContactWait | null {
  const until = gate.retryAt ?? null;
  switch (gate.refusal) {
    case 'outside_window':
      return { reason: 'calling_hours', detail: zones.join(','), until };
    case 'cap_reached': {
      const full = gate.checks.filter((c) => !c.passed && c.rule.startsWith('cap_')).map((c) => c.rule);
      return { reason: 'cap', detail: full.join(',') || null, until };
    }
    case 'campaign_paused':
      return { reason: 'paused', detail: null, until: null };
    case 'blacklisted':
    case 'mass_call_refused':
    case 'no_consent':
    case 'campaign_stopped':
      return null;
  }
}
