import { DateTime } from 'luxon';
import { z } from 'zod';
import { phoneNumberInput } from './blacklistInput';

// Entries of the refusal list as the API, the ERP or a file give them: a number whose subscriber
// refused mass calls through the operator (the rules in force since 2025-09-01), when it was
// refused and through which operator, as reported. The table's CHECKs say the same; this says it
// first, naming the field (`entries.2.number: ...`). Pure: no I/O.

/** Where an entry came from; the caller's role decides between api and erp, the CLI says import. */
export const MASS_CALL_REFUSAL_SOURCES = ['api', 'erp', 'import'] as const;
export type MassCallRefusalSource = (typeof MASS_CALL_REFUSAL_SOURCES)[number];

/** Entries one bulk call may add (one transaction). */
export const MAX_REFUSALS_BULK = 10_000;

const isoInstant = z.string().datetime({ offset: true, message: 'an ISO 8601 date and time with its offset, e.g. 2026-12-31T21:00:00Z' });

export const massCallRefusalObject = z.object({
  number: phoneNumberInput.describe('The number as written (+7 912 345-67-89, 89123456789); stored in E.164.'),
  refusedAt: isoInstant.nullable().optional().describe('When the subscriber refused, as the operator reports it (null: not reported).'),
  operator: z.string().trim().min(1, 'must not be empty').max(200).nullable().optional()
    .describe('The operator the refusal came through.'),
}).strict();

export interface NewMassCallRefusal {
  e164: string;
  refusedAt: string | null; // ISO 8601, UTC
  operator: string | null;
}

const toRefusal = (r: z.output<typeof massCallRefusalObject>): NewMassCallRefusal => ({
  e164: r.number,
  refusedAt: r.refusedAt ? DateTime.fromISO(r.refusedAt).toUTC().toISO() : null,
  operator: r.operator ?? null,
});

export const massCallRefusalSchema = massCallRefusalObject.transform(toRefusal);

export const massCallRefusalsSchema = z.array(massCallRefusalSchema).min(1, 'give at least one entry')
  .max(MAX_REFUSALS_BULK, `at most ${MAX_REFUSALS_BULK} entries in one call`);

/** What a list of entries may be narrowed to. */
export const massCallRefusalFilterObject = z.object({
  number: phoneNumberInput.optional().describe('Only this number\'s entry.'),
  source: z.enum(MASS_CALL_REFUSAL_SOURCES).optional(),
  operator: z.string().optional(),
}).strict();

export type MassCallRefusalFilter = z.output<typeof massCallRefusalFilterObject>;
