import { z } from 'zod';

// A campaign's settings as a user or the ERP gives them; the SQL table's CHECKs say the same,
// this says it first, with the field's name.
const localTime = z.string().regex(/^([01]\d|2[0-3]):[0-5]\d(:[0-5]\d)?$|^24:00(:00)?$/, 'expected HH:MM or HH:MM:SS');

export const campaignSettingsSchema = z.object({
  id: z.string().regex(/^[a-z0-9][a-z0-9._-]{0,62}$/, 'lowercase letters, digits, dot, dash, underscore; at most 63'),
  name: z.string().min(1).max(200),
  callerId: z.string().regex(/^\+[1-9]\d{6,14}$/, 'an E.164 number such as +74951234567'),
  timeZone: z.string().refine((zone) => {
    try {
      new Intl.DateTimeFormat('en-US', { timeZone: zone });
      return true;
    } catch {
      return false;
    }
  }, 'not an IANA time zone').default('Europe/Moscow'),
  windowStart: localTime.default('09:00'),
  windowEnd: localTime.default('20:00'),
  maxAttemptsPerNumber: z.number().int().min(1).max(50).default(3),
  retryIntervalSeconds: z.number().int().min(0).default(3600),
  ringTimeoutSeconds: z.number().int().min(5).max(120).default(30),
  maxInFlight: z.number().int().min(1).max(10000).default(1000),
  /** Calls of this campaign up at once, across every worker (null: only the trunk's limit). */
  maxChannels: z.number().int().min(1).nullable().default(null),
  templateId: z.number().int().positive().nullable().default(null),
}).refine((s) => s.windowStart < s.windowEnd, { path: ['windowEnd'], message: 'must be after windowStart' });

export type CampaignSettingsInput = z.input<typeof campaignSettingsSchema>;
export type CampaignSettings = z.output<typeof campaignSettingsSchema>;
