// Shapes that cross the workflow/activity boundary. Workflows import only these and the
// *types* of activities, never activity code (the workflow sandbox must stay free of I/O).
import type { CallingSchedule } from './callingSchedule';
import type { CallOutcome, ContactState } from './outcomes';
import type { PhoneKind, StrategyChoice } from './strategies/strategy';

/** A daily calling window in local time, `HH:MM[:SS]`, end exclusive ('24:00' = midnight). */
export interface DailyWindow {
  start: string;
  end: string;
}

export interface ContactPhone {
  position: number;
  e164: string;
  /** Candidate IANA zones of the subscriber: calls only in hours allowed in all of them. */
  zones: string[];
  /** Where the zones came from: 'contact', 'numbering_plan', 'country' or 'campaign'. */
  zoneSource: string;
  /** Mobile, home, work, other, when known (the strategy may treat them apart). */
  kind?: PhoneKind | null;
}

/** Everything the contact workflow needs to run, read once at its start. */
export interface ContactPlan {
  contactId: number;
  campaignId: string;
  phones: ContactPhone[];
  /** When calls are allowed; the gate checks it again with the settings of the moment. */
  schedule: CallingSchedule;
  /** Whether a call nobody answered uses a cap slot (the legal policy's explicit choice). */
  countUnanswered: boolean;
  templateId: number | null;
  /** The template version the campaign pinned; missing in plans recorded before versions existed. */
  templateVersion?: number | null;
  callerId: string;
  ringTimeoutSeconds: number;
  strategy: RetryStrategy;
  /** The campaign's strategy (domain/strategies); missing in plans recorded before it existed. */
  strategyChoice?: StrategyChoice;
  handling: CallHandling;
}

export interface RetryStrategy {
  maxAttemptsPerNumber: number;
  retryIntervalSeconds: number;
  /** What an answering machine gets: give up on the number, leave the message, or retry later. */
  machineAction: 'hang_up' | 'leave_message' | 'retry';
}

/** How an answered call is handled: machines, and the key that reaches an operator. */
export interface CallHandling {
  detectMachines: boolean;
  machineAction: RetryStrategy['machineAction'];
  /** null: the campaign has no operators. */
  operatorKey: string | null;
  operatorWaitSeconds: number;
  /** A subscriber who hangs up mid-message after this long was reached; null: only to the end. */
  minListenSeconds: number | null;
}

export type GateRefusal =
  | 'blacklisted'
  | 'campaign_paused'
  | 'campaign_stopped'
  | 'outside_window'
  | 'cap_reached'
  // The subscriber refused mass calls through the operator (the refusal list): try the next number.
  | 'mass_call_refused'
  // A third party (or anyone, when the campaign's rule profile says so) without a consent for the number that holds now.
  | 'no_consent';

export interface GateCheck {
  rule: string;
  passed: boolean;
  detail?: string;
}

/** The gate's decision with the rules it checked: stored on the attempt as the proof. */
export type GateDecision =
  | { allowed: true; checks: GateCheck[]; checkedAt: string }
  | { allowed: false; refusal: GateRefusal; checks: GateCheck[]; checkedAt: string; retryAt?: string };

/**
 * What the local prepare step returned before the speech port: the text rides in the history.
 * Only contacts recorded before 'speech-prepare' still get it (their histories replay with it).
 */
export interface PreparedMessage {
  text: string;
  /** Asterisk media URIs in playing order (sound:, number:, digits:). */
  media: string[];
}

/**
 * What the prepare step returns now: references only. The rendered text stays in Postgres
 * (prepared_message, by `preparedId`) and reaches the attempt row from there, so no name,
 * amount or text enters a workflow's history.
 */
export interface PreparedAudio {
  /** The prepared_message row; null when the campaign has no template (nothing is said). */
  preparedId: number | null;
  /** Asterisk media URIs in playing order: one assembled file (`sound:<dir>/<key>`), or none. */
  media: string[];
  durationMs: number;
}

export interface CallRequest {
  workflowId: string;
  seq: number;
  /** Chosen by the workflow, so a record of a lost call still names its channel. */
  channelId: string;
  campaignId: string;
  contactId: number;
  e164: string;
  callerId: string;
  ringTimeoutSeconds: number;
  media: string[];
  zones: string[];
  handling: CallHandling;
}

/** What a call left behind, whoever reports it (the telephony, or the call step). */
export interface CallFacts {
  hangupCause: number | null;
  dtmf: string | null;
  listenedMs: number | null;
  startedAt: string;
  answeredAt: string | null;
  endedAt: string;
  /**
   * The carrier's SIP final response to an unanswered call on a PJSIP trunk; absent otherwise.
   * It rides along to the record step (the per-trunk blacklisting rule).
   */
  sipCode?: number | null;
}

export interface CallResult extends CallFacts {
  outcome: CallOutcome;
  /** Set when the call activity's own last check refused to originate. */
  gate: GateDecision;
  channelId: string | null;
  /** The number the originate presented as caller ID (docs/callerId.md); absent when nothing was dialled. */
  callerId?: string | null;
}

export interface AttemptRecord {
  workflowId: string;
  seq: number;
  campaignId: string;
  contactId: number;
  phonePosition: number;
  e164: string;
  numberAttempt: number;
  result: CallResult;
  /** The text said, as the workflow knew it (contacts recorded before 'speech-prepare'); else null. */
  messageText: string | null;
  /** The prepared message whose text the record step copies onto the attempt (the text never crosses the history). */
  preparedId?: number | null;
  countUnanswered: boolean;
  zones: string[];
}

export interface ContactResult {
  contactId: number;
  state: Exclude<ContactState, 'pending' | 'in_progress'>;
  outcome: CallOutcome | null;
  attempts: number;
  perNumber: { position: number; attempts: number; lastOutcome: CallOutcome | null }[];
}
