import { z } from 'zod';
import { CALL_OUTCOMES } from './outcomes';

// Which attempts a results page or an export covers: the GraphQL input type, the export's query
// string and the adapter's query all follow this one schema.

const moment = z.string().datetime({ offset: true, message: 'an ISO 8601 moment with its offset, e.g. 2026-12-01T09:00:00+03:00' });

export const attemptFilterShape = z.object({
  campaignId: z.string().min(1).nullish().describe("The campaign's attempts (give campaignId, number or both)."),
  from: moment.nullish().describe('Attempts started at or after this moment (ISO 8601 with offset).'),
  to: moment.nullish().describe('Attempts started before this moment (ISO 8601 with offset).'),
  number: z.string().regex(/^\+[1-9][0-9]{6,14}$/, 'an E.164 number, e.g. +74951234567').nullish()
    .describe('One number (E.164), across campaigns unless campaignId is given too.'),
  outcome: z.enum(CALL_OUTCOMES).nullish().describe('Only attempts with this outcome (refused: the gate placed no call).'),
});

export const attemptFilterSchema = attemptFilterShape.superRefine((f, ctx) => {
  if (!f.campaignId && !f.number) ctx.addIssue({ code: 'custom', path: ['campaignId'], message: 'give campaignId or number' });
  if (f.from && f.to && Date.parse(f.from) >= Date.parse(f.to)) ctx.addIssue({ code: 'custom', path: ['to'], message: 'must be after from' });
});

export type AttemptFilter = z.output<typeof attemptFilterSchema>;
