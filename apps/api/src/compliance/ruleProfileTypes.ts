import { z } from 'zod';
import { CAMPAIGN_PURPOSES, CONSENT_RULES, LEGAL_POLICY_NAMES, ruleProfilePatchObject, type RuleProfile as RuleProfileValue } from '../../../../domain/ruleProfiles';
import { graphqlClass, type TypeNames } from '../graphql/zodTypes';

// The rule profiles' GraphQL types, from domain/ruleProfiles.ts.

const names: TypeNames = { purpose: 'Purpose', consentRequired: 'ConsentRule', legalPolicy: 'LegalPolicy' };

export const RuleProfilePatchInput = graphqlClass('RuleProfilePatchInput', ruleProfilePatchObject, 'input', {
  description: 'An edit of a rule profile: the fields given are changed, the others kept.', names,
});

const profileView = z.object({
  purpose: z.enum(CAMPAIGN_PURPOSES),
  legalPolicy: z.enum(LEGAL_POLICY_NAMES).describe('The legal policy the purpose requires (the stricter of it and the campaign\'s applies).'),
  consentRequired: z.enum(CONSENT_RULES).describe('Who is called only with consent for the number.'),
  honourMassCallRefusals: z.boolean().describe('Interpretation: the refusal list of mass calls applies to these calls.'),
  synthesizedPromptIsConversation: z.boolean().describe('Interpretation (467-FZ): a synthesized message with a key prompt counts as a conversation.'),
  recordAnswered: z.boolean().describe('Every answered call is recorded.'),
  recordRetentionDays: z.number().int().describe('Days attempt records are kept.'),
  recordingRetentionDays: z.number().int().describe('Days call recordings are kept.'),
  legalBasis: z.string().describe('The laws the profile encodes.'),
  updatedBy: z.string().describe('"preset", or who changed it last.'),
  updatedAt: z.string().describe('ISO 8601, UTC.'),
});

export type RuleProfileView = RuleProfileValue;

export const RuleProfile = graphqlClass('RuleProfile', profileView, 'output', {
  description: 'What a campaign\'s purpose requires of its calls (docs/compliance.md).', names,
});
