import { z } from 'zod';

// Which report: a campaign (or every one) and a period. The GraphQL query's arguments and the CSV
// route's query string follow this one schema.

const moment = z.string().datetime({ offset: true, message: 'an ISO 8601 moment with its offset, e.g. 2026-12-01T00:00:00+03:00' });

/** The longest period one report covers: a year and a bit, so a leap year's report fits. */
export const MAX_REPORT_DAYS = 400;

export const reportInputSchema = z.object({
  campaignId: z.string().min(1, 'must not be empty').nullish(),
  from: moment,
  to: moment,
}).superRefine((r, ctx) => {
  const span = Date.parse(r.to) - Date.parse(r.from);
  if (span <= 0) ctx.addIssue({ code: 'custom', path: ['to'], message: 'must be after from' });
  else if (span > MAX_REPORT_DAYS * 86_400_000) ctx.addIssue({ code: 'custom', path: ['to'], message: `at most ${MAX_REPORT_DAYS} days after from` });
});

export type ReportInput = z.output<typeof reportInputSchema>;
