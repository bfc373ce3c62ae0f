import { DateTime, IANAZone } from 'luxon';
import { z } from 'zod';
import { InputError } from './inputError';
import { CAMPAIGN_PURPOSES } from './ruleProfiles';
import { poolName } from './callerIdPool';
import { strategyRetryWaits, strategySettingSchema } from './strategies/registry';
import { workflowTypeSettingSchema } from './strategies/workflowTypes';

// A campaign's settings as a user, the ERP or a test gives them: every column of `campaign`
// a person may set (the id once, at creation; state, timestamps and ids the system keeps are
// not settings). The SQL CHECKs say the same; this says it first, naming the field
// (`caps.person.day: ...`), and it is the source of the API's input types. Pure: no I/O.

const INT4_MAX = 2_147_483_647;

const int = (min: number, max = INT4_MAX) => z.number().int('must be a whole number').min(min).max(max);

/** Local time of day, end exclusive; '24:00' is the end of the day. Kept as HH:MM (HH:MM:SS if it has seconds). */
const localTime = z.string()
  .regex(/^(([01]\d|2[0-3]):[0-5]\d(:[0-5]\d)?|24:00(:00)?)$/, 'expected HH:MM or HH:MM:SS (00:00 to 24:00)')
  .transform((t) => (t.length === 8 && t.endsWith(':00') ? t.slice(0, 5) : t));

const secondsOfDay = (t: string): number => {
  const [h, m, s = 0] = t.split(':').map(Number);
  return h * 3600 + m * 60 + s;
};

/** [start, end) hours of one day. */
const dailyHours = z.tuple([localTime, localTime]).refine(([start, end]) => secondsOfDay(start) < secondsOfDay(end), {
  message: 'the start must be before the end',
});

const isoWeekday = z.enum(['1', '2', '3', '4', '5', '6', '7']);

/** Hours per ISO day of week (1 = Monday); a day not named uses the daily window, null closes it. */
const weeklyHours = z.record(isoWeekday, dailyHours.nullable());

const ISO_DATE = /^\d{4}-\d{2}-\d{2}$/;
const isoDate = z.string()
  .regex(ISO_DATE, 'expected YYYY-MM-DD')
  // Only the shape's problem when the shape is wrong.
  .refine((d) => !ISO_DATE.test(d) || DateTime.fromISO(d).isValid, 'not a calendar date');

/** Calls allowed per period; null or missing: no cap of the campaign's own for that period. */
const capsPerPeriod = z.object({
  day: int(0).nullable().optional(),
  week: int(0).nullable().optional(),
  month: int(0).nullable().optional(),
}).strict();

const fields = {
  name: z.string().trim().min(1, 'must not be empty').max(200).describe('A name people recognise the campaign by.'),
  callerId: z.string().regex(/^\+[1-9]\d{6,14}$/, 'an E.164 number such as +74951234567').describe('The registered number calls are placed from (E.164); a trunk\'s own number wins.'),
  callerIdPool: poolName.nullable().default(null).describe('The caller-ID pool calls are placed from, one of its numbers per call (docs/callerId.md); null: callerId, or the trunk\'s number.'),
  timeZone: z.string().refine((zone) => IANAZone.isValidZone(zone), 'not an IANA time zone').default('Europe/Moscow').describe('The campaign\'s IANA zone: its calendar day, and the subscriber\'s when nothing better is known.'),
  windowStart: localTime.default('09:00').describe('Daily calling window in the subscriber\'s local time, start inclusive.'),
  windowEnd: localTime.default('20:00').describe('End of the daily window, exclusive (\'24:00\' = midnight).'),
  weeklyHours: weeklyHours.default({}).describe('Per ISO weekday ("1" Monday .. "7"): [start, end] hours, or null for no calls that day.'),
  startDate: isoDate.nullable().default(null).describe('First local day calls may be placed (null: from now).'),
  endDate: isoDate.nullable().default(null).describe('Last local day calls may be placed, inclusive (null: open-ended).'),
  calendarCountry: z.string().regex(/^[A-Z]{2}$/, 'an ISO 3166 country code such as RU').default('RU').describe('ISO 3166 country whose calendar of holidays and working weekends applies.'),
  purpose: z.enum(CAMPAIGN_PURPOSES).default('service').describe('Why the campaign calls: debt_collection, service, advertising or emergency; selects its rule profile (docs/compliance.md): the legal policy it requires, who needs consent, recording and retention.'),
  legalPolicy: z.enum(['none', 'ru_230fz']).default('none').describe('Legal hours and caps applied on top of the campaign\'s own (\'ru_230fz\': Russia\'s 230-FZ).'),
  policyOptions: z.object({
    period: z.enum(['calendar', 'rolling']).optional().describe('\'calendar\' days, weeks and months, or \'rolling\' 24 hours, 7 and 30 days.'),
    countUnanswered: z.boolean().optional().describe('Whether a call nobody answered uses a cap slot.'),
    callKind: z.enum(['conversation', 'message']).optional().describe('What a call is in the law\'s terms (sets which of the policy\'s caps apply).'),
  }).strict().default({}).describe('Overrides of the policy\'s explicit choices.'),
  caps: z.object({
    person: capsPerPeriod.optional().describe('Per person (across campaigns).'),
    number: capsPerPeriod.optional().describe('Per phone number.'),
  }).strict().default({}).describe('The campaign\'s own caps; the policy\'s apply too, the lower one wins.'),
  ignoredBlacklistGroups: z.array(z.string().min(1, 'must not be empty').max(100))
    .refine((groups) => new Set(groups).size === groups.length, 'names a group twice')
    .default([]).describe('Blacklist groups this campaign does not consult.'),
  blacklistAfterUnreachable: int(1).nullable().default(null).describe('A number unreachable this many times in a row goes to the blacklist (null: never).'),
  maxChannels: int(1).nullable().default(null).describe('Calls of this campaign up at once, across every worker (null: only the trunk\'s limit).'),
  trunk: z.string().regex(/^[A-Za-z0-9][A-Za-z0-9._-]{0,62}$/, 'a trunk name: letters, digits, dot, dash, underscore').nullable().default(null).describe('The trunk calls go out on (null: the worker\'s default endpoint, no trunk limit).'),
  detectMachines: z.boolean().default(false).describe('Run answering-machine detection on answered calls.'),
  machineAction: z.enum(['hang_up', 'leave_message', 'retry']).default('retry').describe('What a detected machine gets: hang up, leave the message, or retry the number later.'),
  operatorKey: z.string().regex(/^[0-9*#]$/, 'one key: 0-9, * or #').nullable().default(null).describe('The key that puts the subscriber through to an operator (null: no operators).'),
  operatorWaitSeconds: int(5, 3600).default(60).describe('How long a subscriber waits for an operator before an apology and hang-up.'),
  minListenSeconds: int(1).nullable().default(null).describe('A subscriber who hangs up early was reached if they listened this long (null: only to the end).'),
  recordCalls: z.boolean().default(false).describe('Record every answered call, both directions, for the retention of the campaign (docs/recording.md).'),
  personalDataRetentionDays: int(1, 36600).nullable().default(null).describe('Days after the campaign finished that its contacts\' personal data is kept before the retention schedule deletes it (null: kept until deleted by request; docs/personalData.md).'),
  ringTimeoutSeconds: int(5, 120).default(30).describe('How long a call rings before it counts as no answer.'),
  maxAttemptsPerNumber: int(1, 50).default(3).describe('Calls to one number before the next number (or giving up).'),
  retryIntervalSeconds: int(0).default(3600).describe('Wait between attempts to one number.'),
  strategy: strategySettingSchema.describe('How the contact workflow decides after each attempt: a registered strategy { name, version, params } (docs/strategies.md); simple v1 uses maxAttemptsPerNumber, retryIntervalSeconds and machineAction.'),
  workflowType: workflowTypeSettingSchema.describe('The contact workflow type each contact runs: contactWorkflow (the numbers in order, the strategy deciding) or a registered strategy workflow (docs/strategies.md, "Whole strategy workflows"). Contacts already started keep theirs.'),
  maxInFlight: int(1, 10000).default(1000).describe('Contact workflows running at once (most asleep); not the channel limit.'),
  templateId: int(1).nullable().default(null).describe('The message template (null: no message, the call is the answer and the hang-up).'),
};

/** Every user setting, all of them: what a campaign row holds. */
const settingsObject = z.object(fields).strict();

type Settings = z.output<typeof settingsObject>;

/** Rules between fields: checked on a whole campaign, so a patch is checked against the stored values. */
function crossFieldRules(s: Settings, ctx: z.RefinementCtx): void {
  if (secondsOfDay(s.windowStart) >= secondsOfDay(s.windowEnd)) {
    ctx.addIssue({ code: z.ZodIssueCode.custom, path: ['windowEnd'], message: `must be after windowStart (${s.windowStart})` });
  }
  if (s.startDate !== null && s.endDate !== null && s.startDate > s.endDate) {
    ctx.addIssue({ code: z.ZodIssueCode.custom, path: ['endDate'], message: `must not be before startDate (${s.startDate})` });
  }
  if (secondsOfDay(s.windowStart) < secondsOfDay(s.windowEnd)) retriesFitTheHours(s, ctx);
}

/** The campaign's own hours on a local date, [start, end) in seconds of the day; null: closed. */
function hoursOn(s: Settings, date: DateTime): [number, number] | null {
  const weekly = s.weeklyHours[String(date.weekday) as z.infer<typeof isoWeekday>];
  if (weekly === null) return null;
  const [start, end] = weekly ?? [s.windowStart, s.windowEnd];
  return [secondsOfDay(start), secondsOfDay(end)];
}

/** A clock change inside the dates may make the real time between two hours one hour longer. */
const CLOCK_CHANGE_SECONDS = 3600;

/**
 * Hours that can never be called, and retries that can never fall inside them: hours closed
 * on every day (of the week, or of the dates), and a strategy's wait between two calls of a
 * number longer than everything from the first day's opening to the last day's closing. Read
 * from the campaign's own hours and dates only: the legal window and the holidays can narrow
 * them further, so what this refuses surely cannot work.
 */
function retriesFitTheHours(s: Settings, ctx: z.RefinementCtx): void {
  const closed = (message: string) => ctx.addIssue({ code: z.ZodIssueCode.custom, path: ['weeklyHours'], message });
  const days = isoWeekday.options.map((d) => s.weeklyHours[d]);
  if (days.every((d) => d === null)) return closed('closes every day of the week: no call could ever be placed');
  if (s.startDate === null || s.endDate === null || s.startDate > s.endDate) return; // open-ended: some day is open
  const start = DateTime.fromISO(s.startDate, { zone: 'UTC' });
  const end = DateTime.fromISO(s.endDate, { zone: 'UTC' });
  const span = Math.round(end.diff(start, 'days').days);
  // A week holds every weekday: the first and the last open day are within a week of the ends.
  const week = [0, 1, 2, 3, 4, 5, 6].filter((i) => i <= span);
  const first = week.map((i) => start.plus({ days: i })).find((d) => hoursOn(s, d) !== null);
  const last = week.map((i) => end.minus({ days: i })).find((d) => hoursOn(s, d) !== null);
  if (!first || !last) return closed(`closes every day from startDate to endDate (${s.startDate} to ${s.endDate}): no call could ever be placed`);
  const [opens] = hoursOn(s, first) as [number, number];
  const [, closes] = hoursOn(s, last) as [number, number];
  const longest = Math.round(last.diff(first, 'days').days) * 86_400 + closes - opens;
  const time = (d: DateTime, seconds: number) => `${d.toISODate() as string} ${localTimeOf(seconds)}`;
  const waits = strategyRetryWaits(s.strategy, {
    maxAttemptsPerNumber: s.maxAttemptsPerNumber, retryIntervalSeconds: s.retryIntervalSeconds, machineAction: s.machineAction,
  });
  for (const { path, seconds } of waits) {
    if (seconds < longest + CLOCK_CHANGE_SECONDS) continue;
    ctx.addIssue({
      code: z.ZodIssueCode.custom, path,
      message: `a retry ${seconds} s after a call can never fall inside the campaign's hours (${time(first, opens)} to ${time(last, closes)}, local)`,
    });
  }
}

/** HH:MM (HH:MM:SS when it has seconds) of a second of the day. */
function localTimeOf(seconds: number): string {
  const pad = (n: number) => String(n).padStart(2, '0');
  const hhmm = `${pad(Math.floor(seconds / 3600))}:${pad(Math.floor(seconds / 60) % 60)}`;
  return seconds % 60 === 0 ? hhmm : `${hhmm}:${pad(seconds % 60)}`;
}

export const campaignSettingsSchema = settingsObject.superRefine(crossFieldRules);

/** Creating a campaign: its id (part of workflow ids, never changed) and its settings. */
export const newCampaignSchema = z.object({
  /** Lowercase id, part of every workflow id of the campaign. */
  id: z.string().regex(/^[a-z0-9][a-z0-9._-]{0,62}$/, 'lowercase letters, digits, dot, dash, underscore; at most 63').describe('Lowercase id, part of every workflow id of the campaign; never changes.'),
}).merge(settingsObject).strict().superRefine(crossFieldRules);

/** Changing a campaign: any subset of the settings, no defaults (a missing field is kept). */
export const campaignPatchSchema = settingsObject.partial().strict();

export type CampaignSettingsInput = z.input<typeof campaignSettingsSchema>;
export type CampaignSettings = z.output<typeof campaignSettingsSchema>;
export type NewCampaignInput = z.input<typeof newCampaignSchema>;
export type NewCampaign = z.output<typeof newCampaignSchema>;
export type CampaignSettingsPatch = z.input<typeof campaignPatchSchema>;
export type CampaignSettingName = keyof CampaignSettings;

export const CAMPAIGN_SETTING_NAMES = Object.keys(fields) as CampaignSettingName[];

/** Bad campaign settings, every problem named by its field path. */
export class CampaignInputError extends InputError {
  override readonly name = 'CampaignInputError';
}

function inputError(error: z.ZodError): CampaignInputError {
  const { message, issues } = InputError.fromZod(error);
  return new CampaignInputError(message, issues);
}

function parseWith<S extends z.ZodTypeAny>(schema: S, input: unknown): z.output<S> {
  const parsed = schema.safeParse(input);
  if (!parsed.success) throw inputError(parsed.error);
  return parsed.data;
}

/** A new campaign with every setting, defaults filled in; throws CampaignInputError. */
export function parseNewCampaign(input: unknown): NewCampaign {
  return parseWith(newCampaignSchema, input);
}

/** A whole set of settings (as stored, or merged); throws CampaignInputError. */
export function parseCampaignSettings(input: unknown): CampaignSettings {
  return parseWith(campaignSettingsSchema, input);
}

/**
 * Settings read back from a campaign row: each field checked, the rules between fields not.
 * The row passed them when it was written; a rule added since (hours that can never be
 * called) must not make an existing campaign unreadable, only refuse its next change.
 */
export function parseStoredCampaignSettings(input: unknown): CampaignSettings {
  return parseWith(settingsObject, input);
}

/**
 * Applies a patch to the stored settings: the patch's fields are checked alone, then the
 * merged whole against the rules between fields (a new windowStart against the stored
 * windowEnd). Returns the merged settings and the fields whose value changed.
 */
export function applyCampaignPatch(
  stored: CampaignSettings, patch: unknown,
): { settings: CampaignSettings; changed: CampaignSettingName[] } {
  const given = Object.fromEntries(Object.entries(parseWith(campaignPatchSchema, patch))
    .filter(([, value]) => value !== undefined)) as Partial<CampaignSettings>;
  const current = Object.fromEntries(CAMPAIGN_SETTING_NAMES.map((field) => [field, stored[field]]));
  const settings = parseCampaignSettings({ ...current, ...given });
  const changed = (Object.keys(given) as CampaignSettingName[])
    .filter((field) => !sameValue(stored[field], settings[field]));
  return { settings, changed };
}

/** Settings are JSON values; object key order does not make a change. */
function sameValue(a: unknown, b: unknown): boolean {
  return JSON.stringify(canonical(a)) === JSON.stringify(canonical(b));
}

function canonical(v: unknown): unknown {
  if (Array.isArray(v)) return v.map(canonical);
  if (v !== null && typeof v === 'object') {
    return Object.fromEntries(Object.entries(v).sort(([a], [b]) => a.localeCompare(b)).map(([k, x]) => [k, canonical(x)]));
  }
  return v;
}
