import { DateTime } from 'luxon';
import { z } from 'zod';
import { normalizePhone } from './phoneNumbers';

// Blacklist entries as a person or the ERP gives them: an exact number (read like a contact's,
// stored in E.164), a prefix, or a range of numbers, in a group, with a reason, where it came
// from, and when it stops blocking. The table's CHECKs say the same; this says it first, naming
// the field (`entries.2.rangeTo: ...`). Pure: no I/O.

export const BLACKLIST_KINDS = ['exact', 'prefix', 'range'] as const;
/** Where an entry came from; `automatic` entries are the dialer's own (an attempt proved the number bad). */
export const BLACKLIST_SOURCES = ['manual', 'erp', 'import', 'api', 'automatic'] as const;
/** The sources a caller may give. */
export const GIVEN_BLACKLIST_SOURCES = ['manual', 'erp', 'import', 'api'] as const;
/** Entries one bulk call may add (one transaction). */
export const MAX_BLACKLIST_BULK = 10_000;

export type BlacklistKind = (typeof BLACKLIST_KINDS)[number];
export type BlacklistSource = (typeof BLACKLIST_SOURCES)[number];

const RANGE_END = /^\+?([1-9]\d{6,14})$/;
const PREFIX = /^\+[1-9]\d{0,14}$/;
const isoInstant = z.string().datetime({ offset: true, message: 'an ISO 8601 date and time with its offset, e.g. 2026-12-31T21:00:00Z' });

/** A number as people write it, read as the contact lists read theirs (Russia when no country is written). */
export const phoneNumberInput = z.string().transform((raw, ctx) => {
  const n = normalizePhone(raw);
  if (n.ok) return n.e164;
  ctx.addIssue({ code: z.ZodIssueCode.custom, message: `not a phone number: ${n.reason}` });
  return z.NEVER;
});

/** The fields of one entry; which of number, prefix and rangeFrom/rangeTo is given follows the kind. */
export const blacklistEntryObject = z.object({
  kind: z.enum(BLACKLIST_KINDS).describe('exact: one number; prefix: every number starting with it; range: rangeFrom..rangeTo.'),
  number: z.string().optional().describe('kind exact: the number as written (+7 495 123-45-67, 84951234567); stored in E.164.'),
  prefix: z.string().optional().describe('kind prefix: "+" and the first digits, e.g. +7495123.'),
  rangeFrom: z.string().optional().describe('kind range: the first number, in international form (+74951230000).'),
  rangeTo: z.string().optional().describe('kind range: the last number, inclusive; as many digits as rangeFrom.'),
  group: z.string().trim().min(1, 'must not be empty').max(100).default('default')
    .describe('The group; a campaign may ignore groups (ignoredBlacklistGroups).'),
  reason: z.string().trim().min(1, 'must not be empty').max(500).describe('Why the numbers may not be called.'),
  source: z.enum(GIVEN_BLACKLIST_SOURCES).optional()
    .describe('Where the entry came from (default: erp for the erp role, manual for the others).'),
  expiresAt: isoInstant.nullable().optional().describe('When the entry stops blocking (null: never).'),
}).strict();

/** One entry, checked and in the table's terms: the number in E.164, a range as digits. */
export interface NewBlacklistEntry {
  kind: BlacklistKind;
  e164: string | null;
  prefix: string | null;
  rangeFrom: string | null; // digits, no '+': the table keeps ranges as bigint
  rangeTo: string | null;
  group: string;
  reason: string;
  source: Exclude<BlacklistSource, 'automatic'> | null; // null: the caller's default
  expiresAt: string | null; // ISO 8601
}

type EntryFields = z.output<typeof blacklistEntryObject>;
const VALUE_FIELDS = ['number', 'prefix', 'rangeFrom', 'rangeTo'] as const;
const FIELDS_OF: Record<BlacklistKind, readonly (typeof VALUE_FIELDS)[number][]> = {
  exact: ['number'], prefix: ['prefix'], range: ['rangeFrom', 'rangeTo'],
};

function toEntry(e: EntryFields, nowMs: number, ctx: z.RefinementCtx): NewBlacklistEntry {
  const issue = (path: string, message: string): void => { ctx.addIssue({ code: z.ZodIssueCode.custom, path: [path], message }); };
  for (const field of VALUE_FIELDS) {
    const wanted = FIELDS_OF[e.kind].includes(field);
    if (wanted && (e[field] === undefined || e[field].trim() === '')) issue(field, `required for kind ${e.kind}`);
    if (!wanted && e[field] !== undefined) issue(field, `only for kind ${BLACKLIST_KINDS.find((k) => FIELDS_OF[k].includes(field))}`);
  }
  let e164: string | null = null;
  let rangeFrom: string | null = null;
  let rangeTo: string | null = null;
  if (e.kind === 'exact' && e.number?.trim()) {
    const n = normalizePhone(e.number);
    if (n.ok) e164 = n.e164;
    else issue('number', `not a phone number: ${n.reason}`);
  }
  if (e.kind === 'prefix' && e.prefix?.trim() && !PREFIX.test(e.prefix.trim())) {
    issue('prefix', '"+" and 1 to 15 digits, the first not 0 (e.g. +7495)');
  }
  if (e.kind === 'range' && e.rangeFrom?.trim() && e.rangeTo?.trim()) {
    const from = RANGE_END.exec(e.rangeFrom.trim())?.[1];
    const to = RANGE_END.exec(e.rangeTo.trim())?.[1];
    const shape = 'a number in international form: 7 to 15 digits, the first not 0 (e.g. +74951230000)';
    if (!from) issue('rangeFrom', shape);
    if (!to) issue('rangeTo', shape);
    if (from && to) {
      // Numbers of one length: a range across lengths would hold numbers of another plan.
      if (from.length !== to.length) issue('rangeTo', `has ${to.length} digits, rangeFrom has ${from.length}`);
      else if (to < from) issue('rangeTo', 'must not be before rangeFrom');
      else [rangeFrom, rangeTo] = [from, to];
    }
  }
  if (e.expiresAt && DateTime.fromISO(e.expiresAt).toMillis() <= nowMs) issue('expiresAt', 'must be in the future');
  return {
    kind: e.kind, e164, prefix: e.kind === 'prefix' ? e.prefix!.trim() : null, rangeFrom, rangeTo,
    group: e.group, reason: e.reason, source: e.source ?? null,
    expiresAt: e.expiresAt ? DateTime.fromISO(e.expiresAt).toUTC().toISO() : null,
  };
}

/** One entry's schema at the moment `nowMs` (an expiry must be after it). */
export const blacklistEntrySchema = (nowMs: number) =>
  blacklistEntryObject.transform((e, ctx) => toEntry(e, nowMs, ctx));

/** A bulk add: at most MAX_BLACKLIST_BULK entries. */
export const blacklistEntriesSchema = (nowMs: number) =>
  z.array(blacklistEntrySchema(nowMs)).min(1, 'give at least one entry')
    .max(MAX_BLACKLIST_BULK, `at most ${MAX_BLACKLIST_BULK} entries in one call`);

/** What a list of entries may be narrowed to. */
export const blacklistFilterObject = z.object({
  kind: z.enum(BLACKLIST_KINDS).optional(),
  group: z.string().optional(),
  source: z.enum(BLACKLIST_SOURCES).optional(),
  number: phoneNumberInput.optional().describe('Only the entries that match this number (exact, a prefix of it, a range holding it).'),
  live: z.boolean().optional().describe('true: only entries that block now; false: only expired ones.'),
}).strict();

export type BlacklistFilter = z.output<typeof blacklistFilterObject>;

/** "Is this number blocked?": the number, the campaign whose ignored groups apply, the moment. */
export const blacklistCheckSchema = z.object({
  number: phoneNumberInput,
  campaignId: z.string().min(1).optional(),
  at: isoInstant.optional(),
}).strict();


/** Two entries are the same entry when every field a caller gives is the same: a bulk add sent twice adds nothing. */
export const entryIdentity = (e: NewBlacklistEntry, source: string): string =>
  JSON.stringify([e.kind, e.e164 ?? e.prefix ?? `${e.rangeFrom}-${e.rangeTo}`, e.group, e.reason, source, e.expiresAt]);
