import { z } from 'zod';

// Rule profiles: a campaign's purpose selects what the law asks of its calls (table rule_profile,
// schema/migrations/1764422000000_rule-profiles.sql, where the presets and their legal references
// are). Profiles are data an admin edits; this is their shape and the check of an edit. Pure.

export const CAMPAIGN_PURPOSES = ['debt_collection', 'service', 'advertising', 'emergency'] as const;
export type CampaignPurpose = (typeof CAMPAIGN_PURPOSES)[number];

/** Who is called only with a consent for the number that holds now. */
export const CONSENT_RULES = ['everyone', 'third_parties', 'nobody'] as const;
export type ConsentRule = (typeof CONSENT_RULES)[number];

export const LEGAL_POLICY_NAMES = ['none', 'ru_230fz'] as const;

export interface RuleProfile {
  purpose: CampaignPurpose;
  /** The legal policy the purpose requires: the stricter of it and the campaign's own applies. */
  legalPolicy: (typeof LEGAL_POLICY_NAMES)[number];
  consentRequired: ConsentRule;
  /** Interpretation: the refusal list of mass calls applies to this purpose's calls. */
  honourMassCallRefusals: boolean;
  /** Interpretation (467-FZ): a synthesized message with a key prompt is a conversation, not a message. */
  synthesizedPromptIsConversation: boolean;
  /** Record every answered call (the recording step reads this flag). */
  recordAnswered: boolean;
  recordRetentionDays: number;
  recordingRetentionDays: number;
  /** The laws the profile encodes, as people cite them. */
  legalBasis: string;
  updatedBy: string;
  updatedAt: string;
}

const days = z.number().int('must be a whole number of days').min(1, 'at least 1 day').max(36_500, 'at most 100 years');

/** An edit of a profile: any of its rules; a field left out is kept. */
export const ruleProfilePatchObject = z.object({
  legalPolicy: z.enum(LEGAL_POLICY_NAMES).optional().describe('The legal policy the purpose requires (the stricter of it and the campaign\'s applies).'),
  consentRequired: z.enum(CONSENT_RULES).optional().describe('Who is called only with consent for the number: everyone, third_parties, nobody.'),
  honourMassCallRefusals: z.boolean().optional().describe('Interpretation: the refusal list of mass calls applies to these calls.'),
  synthesizedPromptIsConversation: z.boolean().optional()
    .describe('Interpretation (467-FZ): a synthesized message with a key prompt counts as a conversation (its caps), not a message.'),
  recordAnswered: z.boolean().optional().describe('Record every answered call.'),
  recordRetentionDays: days.optional().describe('Days attempt records are kept.'),
  recordingRetentionDays: days.optional().describe('Days call recordings are kept.'),
  legalBasis: z.string().trim().min(1, 'must not be empty: the laws the profile encodes').max(4000).optional()
    .describe('The laws the profile encodes, as people cite them.'),
}).strict();

export type RuleProfilePatch = z.output<typeof ruleProfilePatchObject>;
