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

export const CONTACT_STATES = ['pending', 'in_progress', 'done', 'failed', 'blacklisted', 'cancelled', 'expired'] as const;
export type ContactState = (typeof CONTACT_STATES)[number];

export const CAMPAIGN_STATES = ['draft', 'running', 'paused', 'completed', 'cancelled'] as const;
export type CampaignState = (typeof CAMPAIGN_STATES)[number];
