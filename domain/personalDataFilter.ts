import { z } from 'zod';
import { CONTACT_STATES } from './outcomes';
import { parseInput } from './parseInput';

// Which contacts a deletion of personal data takes (docs/personalData.md). Every criterion
// narrows the set; a filter with none would take every contact of every campaign, so it is
// refused unless it says so itself with `all: true` — and `all` cannot hide beside criteria.

const isoInstant = z.string().datetime({ offset: true, message: 'an ISO 8601 instant with its offset, such as 2026-01-31T00:00:00Z' });

/** The most ids one filter may list; a larger set is a campaign, a date or a state. */
export const MAX_FILTER_IDS = 10_000;

export const personalDataFilterSchema = z.object({
  contactIds: z.array(z.number().int().positive('a contact id')).min(1, 'must not be empty (leave it out instead)').max(MAX_FILTER_IDS).nullish()
    .describe('These contacts, by the dialer\'s ids.'),
  campaignId: z.string().min(1).max(63).nullish().describe('Contacts of this campaign.'),
  externalIds: z.array(z.string().min(1, 'must not be empty')).min(1, 'must not be empty (leave it out instead)').max(MAX_FILTER_IDS).nullish()
    .describe('Contacts with these ERP ids (with campaignId: of that campaign).'),
  importedBefore: isoInstant.nullish().describe('Contacts imported before this instant (ISO 8601 with offset).'),
  states: z.array(z.enum(CONTACT_STATES)).min(1, 'must not be empty (leave it out instead)').nullish().describe('Contacts in one of these states.'),
  campaignFinishedBefore: isoInstant.nullish().describe('Contacts of campaigns that finished before this instant.'),
  retentionEndedBy: isoInstant.nullish()
    .describe('Contacts of finished campaigns whose personalDataRetentionDays had passed by this instant (the retention schedule\'s filter).'),
  all: z.boolean().nullish().describe('Every contact of every campaign: must be said explicitly, and alone.'),
}).strict();

export type PersonalDataFilter = z.output<typeof personalDataFilterSchema>;

const CRITERIA = ['contactIds', 'campaignId', 'externalIds', 'importedBefore', 'states', 'campaignFinishedBefore', 'retentionEndedBy'] as const;

/** The criteria a filter gives (its `all` aside). */
export function filterCriteria(f: PersonalDataFilter): string[] {
  return CRITERIA.filter((k) => f[k] !== undefined && f[k] !== null);
}

/**
 * The filter checked: its fields' shapes, then the rule that a filter matching every contact
 * says `all: true` and nothing else. Bad input throws an InputError naming the field.
 */
export function parsePersonalDataFilter(input: unknown, prefix = 'filter'): PersonalDataFilter {
  const f = parseInput(personalDataFilterSchema.superRefine((v, ctx) => {
    const given = filterCriteria(v);
    if (given.length === 0 && v.all !== true) {
      ctx.addIssue({
        code: z.ZodIssueCode.custom, path: ['all'],
        message: `this filter matches every contact: name contacts (${CRITERIA.join(', ')}) or say all: true`,
      });
    }
    if (given.length > 0 && v.all === true) {
      ctx.addIssue({ code: z.ZodIssueCode.custom, path: ['all'], message: `all: true takes every contact; it cannot be combined with ${given.join(', ')}` });
    }
  }), input ?? {}, prefix);
  return f;
}

/** Whether the filter names its contacts one by one (what an ERP may delete: its own contacts). */
export function namesContacts(f: PersonalDataFilter): boolean {
  return !!f.contactIds || (!!f.externalIds && !!f.campaignId);
}
