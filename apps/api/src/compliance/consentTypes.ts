import { z } from 'zod';
import { CONSENT_CHANNELS, consentObject } from '../../../../domain/consentInput';
import { graphqlClass } from '../graphql/zodTypes';

// Consent evidence's GraphQL types: the input is the one the contact input carries
// (domain/consentInput.ts), the record as read shares its channel enum.

export const ConsentInput = graphqlClass('ConsentInput', consentObject, 'input', {
  description: 'Consent evidence for one of a contact\'s numbers: source and givenAt are required.',
  names: { channel: 'ConsentChannel' },
});

const iso = z.string().describe('ISO 8601, UTC.');

const consentView = z.object({
  id: z.number().int(),
  contactId: z.number().int(),
  number: z.string().describe('The number in E.164.'),
  source: z.string(),
  givenAt: iso,
  documentRef: z.string().nullable(),
  channel: z.enum(CONSENT_CHANNELS),
  expiresAt: iso.nullable(),
  withdrawnAt: iso.nullable(),
  createdBy: z.string(),
  createdAt: iso,
});

export type ConsentView = z.output<typeof consentView>;

export const Consent = graphqlClass('Consent', consentView, 'output', {
  description: 'Consent evidence for a contact\'s number: a third party is called on it while it holds (given, not expired, not withdrawn).',
  names: { channel: 'ConsentChannel' },
});
