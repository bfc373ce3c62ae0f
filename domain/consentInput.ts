import { DateTime } from 'luxon';
import { z } from 'zod';
import { normalizePhone } from './phoneNumbers';

// A contact's role and the consent evidence for its numbers, as the ERP and people give them.
// A contact is the debtor, or a third party (one of the debtor's contact persons) linked to the
// debtor by the debtor's id in the ERP. Consent is evidence per contact and number: where it
// comes from, when it was given, the document, how it was given, until when it holds and when it
// was withdrawn. The table's CHECKs say the same; this says it first, naming the field. Pure.

export const CONTACT_ROLES = ['debtor', 'third_party'] as const;
export type ContactRole = (typeof CONTACT_ROLES)[number];

/** How a consent was given. */
export const CONSENT_CHANNELS = ['written', 'electronic', 'recorded_call', 'other'] as const;
export type ConsentChannel = (typeof CONSENT_CHANNELS)[number];

const isoInstant = (what: string) => z.string({ required_error: `required: ${what}`, invalid_type_error: `${what}, as ISO 8601 text` })
  .datetime({ offset: true, message: 'an ISO 8601 date and time with its offset, e.g. 2026-12-31T21:00:00Z' });

const optionalText = (max: number) => z.string().trim().min(1, 'must not be empty').max(max, `at most ${max} characters`)
  .nullish().transform((v) => v ?? null);

/** The debtor a third party belongs to: its external id, its person id, or both. */
export const debtorLinkObject = z.object({
  externalId: optionalText(200).describe("The debtor's contact id in the ERP (its externalId)."),
  personId: optionalText(200).describe("The debtor's person id in the ERP."),
}).strict();

export interface DebtorLink {
  externalId: string | null;
  personId: string | null;
}

/** One consent's fields; `number` is read like a contact's numbers (E.164, Russia by default). */
export const consentObject = z.object({
  number: z.string({ required_error: 'required: the number the consent is for' })
    .describe('The number the consent is for, as written; one of the contact\'s numbers.'),
  // Required, but optional in the shape: a missing one is named here, in the words of the field,
  // not by GraphQL's "of required type String!".
  source: z.string().trim().max(500, 'at most 500 characters').nullish()
    .describe('Required: where the consent comes from (the form, the call, the office that took it).'),
  givenAt: isoInstant('when the consent was given').nullish().describe('Required: when it was given (ISO 8601 with an offset).'),
  documentRef: optionalText(500).describe('The document that proves it (number, file reference).'),
  channel: z.enum(CONSENT_CHANNELS).nullish().transform((c): ConsentChannel => c ?? 'other')
    .describe('How it was given (other when not said).'),
  expiresAt: isoInstant('when the consent expires').nullish().transform((v) => v ?? null).describe('Until when it holds (null: no expiry).'),
  withdrawnAt: isoInstant('when the consent was withdrawn').nullish().transform((v) => v ?? null).describe('When it was withdrawn (null: it was not).'),
}).strict();

/** A consent as stored: the number in E.164, moments in UTC. */
export interface ConsentValue {
  e164: string;
  source: string;
  givenAt: string;
  documentRef: string | null;
  channel: ConsentChannel;
  expiresAt: string | null;
  withdrawnAt: string | null;
}

const utc = (iso: string): string => DateTime.fromISO(iso, { setZone: true }).toUTC().toISO() as string;

export const consentSchema = consentObject.transform((c, ctx): ConsentValue => {
  const issue = (path: string, message: string): void => { ctx.addIssue({ code: z.ZodIssueCode.custom, path: [path], message }); };
  const read = normalizePhone(c.number);
  if (!read.ok) issue('number', `not a phone number: ${read.reason}`);
  if (!c.source) issue('source', 'required: where the consent comes from');
  if (!c.givenAt) issue('givenAt', 'required: when the consent was given');
  const given = c.givenAt ? Date.parse(c.givenAt) : NaN;
  if (c.expiresAt !== null && Date.parse(c.expiresAt) <= given) issue('expiresAt', 'must be after givenAt');
  if (c.withdrawnAt !== null && Date.parse(c.withdrawnAt) < given) issue('withdrawnAt', 'must not be before givenAt');
  if (!read.ok || !c.source || !c.givenAt) return z.NEVER;
  return {
    e164: read.e164, source: c.source, givenAt: utc(c.givenAt), documentRef: c.documentRef, channel: c.channel,
    expiresAt: c.expiresAt && utc(c.expiresAt), withdrawnAt: c.withdrawnAt && utc(c.withdrawnAt),
  };
});

/**
 * The role's rules on a contact: a third party names its debtor and is a person of its own (its
 * caps are not the debtor's); a debtor names none. Issues go to `ctx` under the contact's paths.
 */
export function checkRole(
  c: { role: ContactRole; debtor: DebtorLink | null; personId: string | null }, ctx: z.RefinementCtx,
): void {
  const issue = (path: (string | number)[], message: string): void => { ctx.addIssue({ code: z.ZodIssueCode.custom, path, message }); };
  const linked = c.debtor !== null && (c.debtor.externalId !== null || c.debtor.personId !== null);
  if (c.role === 'third_party' && !linked) issue(['debtor'], 'required for a third party: the debtor\'s externalId or personId');
  if (c.role === 'debtor' && c.debtor !== null) issue(['debtor'], 'only for role third_party');
  if (c.role === 'third_party' && c.personId !== null && c.personId === c.debtor?.personId) {
    issue(['personId'], 'a third party is a person of its own: not the debtor\'s personId (caps count per person)');
  }
}
