import { z } from 'zod';
import { CALL_OUTCOMES } from '../../../../domain/outcomes';

// Which recordings a search covers: the GraphQL input type and the service's check follow this.

const moment = z.string().datetime({ offset: true, message: 'an ISO 8601 moment with its offset, e.g. 2026-12-01T09:00:00+03:00' });

export const recordingFilterShape = z.object({
  campaignId: z.string().min(1).nullish().describe("The campaign's recordings."),
  from: moment.nullish().describe('Recordings started at or after this moment (ISO 8601 with offset).'),
  to: moment.nullish().describe('Recordings started before this moment (ISO 8601 with offset).'),
  number: z.string().regex(/^\+[1-9][0-9]{6,14}$/, 'an E.164 number, e.g. +74951234567').nullish()
    .describe('The number called (E.164).'),
  outcome: z.enum(CALL_OUTCOMES).nullish().describe("The attempt's outcome."),
});

export const recordingFilterSchema = recordingFilterShape.superRefine((f, ctx) => {
  if (f.from && f.to && Date.parse(f.from) >= Date.parse(f.to)) ctx.addIssue({ code: 'custom', path: ['to'], message: 'must be after from' });
});

export type RecordingFilterValue = z.output<typeof recordingFilterSchema>;
