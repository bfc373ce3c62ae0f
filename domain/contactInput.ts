import { IANAZone } from 'luxon';
import { z } from 'zod';
import { checkRole, CONTACT_ROLES, consentSchema, debtorLinkObject, type ContactRole } from './consentInput';
import { InputError } from './inputError';
import { normalizePhone, type CountryCode } from './phoneNumbers';

// A contact as the ERP gives it (upsertContacts): its id in the ERP, the person behind it, its
// numbers in dialling order and the variables its message reads; its role (the debtor, or a third
// party linked to one) and the consent evidence for its numbers (domain/consentInput.ts). One
// schema for the API's input type and its validation; numbers leave it in E.164 (libphonenumber,
// default region RU). Pure.

export const PHONE_KINDS = ['mobile', 'home', 'work', 'other'] as const;
export type PhoneKind = (typeof PHONE_KINDS)[number];

/** Contacts one upsertContacts call may carry: one transaction, a few seconds at most. */
export const MAX_CONTACTS_PER_CALL = 10_000;
export const MAX_PHONES_PER_CONTACT = 10;
export const MAX_VARIABLES_PER_CONTACT = 100;
export const MAX_CONSENTS_PER_CONTACT = 100;

/** Where a number written without a country code is read. */
export const DEFAULT_PHONE_REGION: CountryCode = 'RU';

/** A variable's name as the message template reads it: {{BALANCE}}. */
export const VARIABLE_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;
/** Money as accounting writes it: optional minus, a dot or a comma, at most kopecks. */
export const AMOUNT = /^-?\d+(?:[.,]\d{1,2})?$/;

const text = (max: number) => z.string().max(max, `at most ${max} characters`);

const phoneInput = z.object({
  number: text(64).describe('As the ERP has it (+7 912 345-67-89, 8 912 345 67 89, 79123456789); stored in E.164, read in Russia when it has no country code.'),
  kind: z.enum(PHONE_KINDS).nullish().transform((k): PhoneKind => k ?? 'other').describe('What kind of number it is (other when not given).'),
});

/** A number as stored: E.164, as written, what the reading did to it, and its kind. */
export interface ContactPhoneValue {
  e164: string;
  raw: string;
  note: string | null;
  kind: PhoneKind;
}

const phone = phoneInput.transform((p, ctx): ContactPhoneValue => {
  const read = normalizePhone(p.number, DEFAULT_PHONE_REGION);
  if (!read.ok) {
    ctx.addIssue({ code: z.ZodIssueCode.custom, path: ['number'], message: read.reason });
    return z.NEVER;
  }
  return { e164: read.e164, raw: p.number, note: read.note ?? null, kind: p.kind };
});

const variable = z.object({
  key: z.string().regex(VARIABLE_NAME, 'Latin letters, digits and _, not starting with a digit').max(100).describe('The name the message template reads ({{BALANCE}}).'),
  value: text(2000).describe('Kept as written; BALANCE must be an amount such as -68.27 or 12345,50.'),
});

// Asking Intl whether a zone exists costs about 0.2 ms; a batch of 10,000 names a handful of zones.
const zoneValidity = new Map<string, boolean>();
function isZone(zone: string): boolean {
  let valid = zoneValidity.get(zone);
  if (valid === undefined) {
    valid = IANAZone.isValidZone(zone);
    if (zoneValidity.size < 10_000) zoneValidity.set(zone, valid);
  }
  return valid;
}

const optionalText = (max: number) => text(max).nullish().transform((v) => (v === undefined || v === null || v.trim() === '' ? null : v));

const fields = {
  externalId: z.string().trim().min(1, 'must not be empty').max(200, 'at most 200 characters')
    .describe("The contact's id in the ERP: the same id in the same campaign is the same contact (calls are idempotent on it)."),
  personId: optionalText(200).describe("The person's id in the ERP (a debtor id): caps per person count across campaigns and contacts by it."),
  fullName: optionalText(500).transform((v) => (v === null ? null : v.replace(/\s+/g, ' ').trim()))
    .describe('The name, as the message may say it.'),
  timeZone: z.string().refine(isZone, 'not an IANA time zone such as Asia/Yekaterinburg').nullish()
    .transform((v) => v ?? null).describe("The subscriber's IANA time zone, when the ERP knows it: it wins over the zone of the number."),
  phones: z.array(phone).min(1, 'at least one number').max(MAX_PHONES_PER_CONTACT, `at most ${MAX_PHONES_PER_CONTACT} numbers`)
    .describe('Numbers in dialling order.'),
  variables: z.array(variable).max(MAX_VARIABLES_PER_CONTACT, `at most ${MAX_VARIABLES_PER_CONTACT} variables`).nullish()
    .transform((v) => v ?? []).describe('What the message template reads (BALANCE, DUE_DATE...). All of them: a variable left out is removed.'),
  role: z.enum(CONTACT_ROLES).nullish().transform((r): ContactRole => r ?? 'debtor')
    .describe('debtor (the default), or third_party: one of the debtor\'s contact persons, called only with consent for the number.'),
  debtor: debtorLinkObject.nullish().transform((d) => d ?? null).describe('role third_party: the debtor it belongs to.'),
  consents: z.array(consentSchema).max(MAX_CONSENTS_PER_CONTACT, `at most ${MAX_CONSENTS_PER_CONTACT} consents`).nullish()
    .transform((v) => v ?? [])
    .describe('Consent evidence for the contact\'s numbers. Added to what is stored (evidence is not removed by leaving it out); the same one again (number, source, givenAt) updates its expiry or withdrawal.'),
};

const contactObject = z.object({
  externalId: fields.externalId,
  personId: fields.personId,
  fullName: fields.fullName,
  timeZone: fields.timeZone,
  phones: fields.phones,
  variables: fields.variables,
  role: fields.role,
  debtor: fields.debtor,
  consents: fields.consents,
}).strict().describe('A contact, whole: a field left out is cleared (no name, no person, no zone, no variables).');

export const contactInputSchema = contactObject.superRefine((c, ctx) => {
  const firstOf = new Map<string, number>();
  c.phones.forEach((p, i) => {
    const first = firstOf.get(p.e164);
    if (first !== undefined) {
      ctx.addIssue({ code: z.ZodIssueCode.custom, path: ['phones', i, 'number'], message: `the same number as phones.${first}` });
    } else {
      firstOf.set(p.e164, i);
    }
  });
  const keys = new Map<string, number>();
  c.variables.forEach((v, i) => {
    const first = keys.get(v.key);
    if (first !== undefined) ctx.addIssue({ code: z.ZodIssueCode.custom, path: ['variables', i, 'key'], message: `given twice (also variables.${first})` });
    else keys.set(v.key, i);
    if (v.key === 'BALANCE' && !AMOUNT.test(v.value.trim())) {
      ctx.addIssue({ code: z.ZodIssueCode.custom, path: ['variables', i, 'value'], message: 'BALANCE is not an amount (expected a decimal number such as -68.27)' });
    }
  });
  checkRole(c, ctx);
  const evidence = new Map<string, number>();
  c.consents.forEach((k, i) => {
    if (!firstOf.has(k.e164)) ctx.addIssue({ code: z.ZodIssueCode.custom, path: ['consents', i, 'number'], message: 'not one of the contact\'s phones' });
    const key = JSON.stringify([k.e164, k.source, k.givenAt]);
    const first = evidence.get(key);
    if (first !== undefined) ctx.addIssue({ code: z.ZodIssueCode.custom, path: ['consents', i], message: `the same number, source and givenAt as consents.${first}` });
    else evidence.set(key, i);
  });
});

/** The object behind the schema's cross-field rules: what the API's input type is made from. */
export const contactInputObject = contactObject;

export type ContactInput = z.input<typeof contactInputSchema>;
export type ContactValue = z.output<typeof contactInputSchema>;

/** At most this many issues are named in one refusal (the message gives the total). */
export const MAX_REPORTED_ISSUES = 1000;

/**
 * Reads a batch for upsertContacts: every contact is checked and every problem named by its path
 * (`contacts.3.phones.1.number`). Throws InputError when the batch is too large, when an
 * externalId is given twice, or when any contact is invalid: the call writes all or nothing.
 */
export function parseContactBatch(contacts: readonly unknown[]): ContactValue[] {
  if (contacts.length > MAX_CONTACTS_PER_CALL) {
    throw new InputError(`at most ${MAX_CONTACTS_PER_CALL} contacts per call, got ${contacts.length}: split the batch`,
      [{ path: 'contacts', message: `at most ${MAX_CONTACTS_PER_CALL} contacts per call, got ${contacts.length}` }]);
  }
  const issues: { path: string; message: string }[] = [];
  const values: ContactValue[] = [];
  const firstIndexOf = new Map<string, number>();
  contacts.forEach((raw, index) => {
    const parsed = contactInputSchema.safeParse(raw);
    if (!parsed.success) {
      issues.push(...InputError.fromZod(parsed.error, `contacts.${index}`).issues);
      return;
    }
    const first = firstIndexOf.get(parsed.data.externalId);
    if (first !== undefined) {
      issues.push({ path: `contacts.${index}.externalId`, message: `the same externalId as contacts.${first}` });
      return;
    }
    firstIndexOf.set(parsed.data.externalId, index);
    values.push(parsed.data);
  });
  if (issues.length > 0) {
    const shown = issues.slice(0, MAX_REPORTED_ISSUES);
    const more = issues.length > shown.length ? ` (the first ${shown.length} of ${issues.length} problems)` : '';
    throw new InputError(
      `${issues.length} problem${issues.length === 1 ? '' : 's'} in the batch, nothing was written${more}: `
      + shown.slice(0, 5).map((i) => `${i.path}: ${i.message}`).join('; ') + (shown.length > 5 ? '; …' : ''),
      shown,
    );
  }
  return values;
}
