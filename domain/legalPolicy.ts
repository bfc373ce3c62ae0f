// Legal policies applied on top of a campaign's own schedule and caps. Pure data, read by the
// workflow's wait step and the call activity's last check alike.

export type PeriodKind = 'calendar' | 'rolling';

export interface Caps {
  day: number | null;
  week: number | null;
  month: number | null;
}

export interface LegalPolicy {
  name: 'none' | 'ru_230fz';
  /** Allowed local hours on working days and on weekends/public holidays; null = no limit. */
  workingDayHours: readonly [string, string] | null;
  restDayHours: readonly [string, string] | null;
  /** Per person (the debtor), across all campaigns. */
  personCaps: Caps;
  /**
   * 'calendar': the subscriber's local day, ISO week (Monday first) and month.
   * 'rolling': the last 24 hours, 7 days, 30 days before the call.
   */
  period: PeriodKind;
  /** Whether a call nobody answered uses a slot (false: only conversations that took place). */
  countUnanswered: boolean;
  /** What a call of this dialer is in the law's terms. */
  callKind: 'conversation' | 'message';
}

export interface PolicyOptions {
  period?: PeriodKind;
  countUnanswered?: boolean;
  callKind?: 'conversation' | 'message';
}

const NO_CAPS: Caps = { day: null, week: null, month: null };

/**
 * Federal Law of 03.07.2016 No. 230-FZ "On the protection of the rights and legitimate interests
 * of natural persons in the recovery of overdue debts", art. 7:
 *  - part 3, item 1: no direct interaction on working days from 22:00 to 08:00, and on weekends
 *    and public holidays from 20:00 to 09:00, local time at the debtor's place of residence;
 *  - part 3, item 3: telephone conversations at most once a day, twice a week, eight times a
 *    month;
 *  - part 5: telegraph, text, voice and other messages at most twice a day, four times a week,
 *    sixteen times a month.
 * Federal Law of 04.08.2023 No. 467-FZ (in force 01.02.2024) made interaction through an
 * automated speech agent (a robot call) a telephone conversation for these limits, so the
 * preset counts this dialer's calls as conversations. Checked against the consolidated text as
 * published on consultant.ru / pravo.gov.ru; the law does not say whether "a day, a week, a
 * month" are calendar or rolling periods, nor whether an unanswered call is an interaction:
 * both are explicit options here, set to the stricter reading of the period (calendar periods
 * are what supervisors and the FSSP count by) and to not counting unanswered calls (no
 * interaction took place), and a campaign may choose otherwise.
 */
export const RU_230FZ_CONVERSATION_CAPS: Caps = { day: 1, week: 2, month: 8 };
export const RU_230FZ_MESSAGE_CAPS: Caps = { day: 2, week: 4, month: 16 };

export function legalPolicy(name: string, options: PolicyOptions = {}): LegalPolicy {
  switch (name) {
    case 'none':
      return {
        name: 'none', workingDayHours: null, restDayHours: null, personCaps: NO_CAPS,
        period: options.period ?? 'calendar', countUnanswered: options.countUnanswered ?? true,
        callKind: options.callKind ?? 'conversation',
      };
    case 'ru_230fz': {
      const callKind = options.callKind ?? 'conversation';
      return {
        name: 'ru_230fz',
        workingDayHours: ['08:00', '22:00'],
        restDayHours: ['09:00', '20:00'],
        personCaps: callKind === 'conversation' ? RU_230FZ_CONVERSATION_CAPS : RU_230FZ_MESSAGE_CAPS,
        period: options.period ?? 'calendar',
        countUnanswered: options.countUnanswered ?? false,
        callKind,
      };
    }
    default:
      throw new Error(`legal policy "${name}" is not known: use "none" or "ru_230fz"`);
  }
}

/** The lower of two caps, period by period (null = no cap). */
export function tighterCaps(a: Caps, b: Caps): Caps {
  const min = (x: number | null, y: number | null): number | null => (x === null ? y : y === null ? x : Math.min(x, y));
  return { day: min(a.day, b.day), week: min(a.week, b.week), month: min(a.month, b.month) };
}

/** Policies from the least to the most strict. */
const STRICTNESS: readonly LegalPolicy['name'][] = ['none', 'ru_230fz'];

/**
 * The policy of a campaign under its purpose's rule profile (domain/ruleProfiles.ts): the
 * stricter of the campaign's and the profile's, so a setting cannot switch off what the purpose
 * requires; the profile's reading of a synthesized message with a key prompt (a conversation or a
 * message) is the call kind unless the campaign names one.
 */
export function policyUnderProfile(
  campaignPolicy: string, options: PolicyOptions, profile: { legalPolicy: string; synthesizedPromptIsConversation: boolean },
): LegalPolicy {
  const rank = (name: string): number => STRICTNESS.indexOf(name as LegalPolicy['name']);
  const name = rank(profile.legalPolicy) > rank(campaignPolicy) ? profile.legalPolicy : campaignPolicy;
  return legalPolicy(name, { callKind: profile.synthesizedPromptIsConversation ? 'conversation' : 'message', ...options });
}
