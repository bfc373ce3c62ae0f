// The outcomes of one call attempt. The SQL enum `call_outcome` (schema/migrations) holds the
// same list; test/schemaAgreement.test.ts fails when they drift apart.
export const CALL_OUTCOMES = [
  'answered',
  'answered_short',
  'operator',
  'machine',
  'busy',
  // the subscriber rejected the call (SIP 603 Decline): an attempt that counts, like busy
  'declined',
  'no_answer',
  'invalid_number',
  'congestion',
  'failed',
  'refused',
] as const;

export type CallOutcome = (typeof CALL_OUTCOMES)[number];

/**
 * Outcomes that prove no conversation took place: under a policy that does not count unanswered
 * calls their cap slot is given back (the record step) and they are not counted against a cap
 * (the compliance report). A 'failed' call (the worker may have died mid-call) is not among
 * them: nobody can prove it was not answered.
 */
export const UNANSWERED_OUTCOMES: readonly CallOutcome[] = ['busy', 'declined', 'no_answer', 'invalid_number', 'congestion'];

export const CONTACT_STATES = ['pending', 'in_progress', 'done', 'failed', 'blacklisted', 'cancelled', 'expired', 'refused'] as const;
export type ContactState = (typeof CONTACT_STATES)[number];

export const CAMPAIGN_STATES = ['draft', 'running', 'paused', 'completed', 'cancelled'] as const;
export type CampaignState = (typeof CAMPAIGN_STATES)[number];
