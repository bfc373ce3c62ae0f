import type { Pool } from 'pg';
import { record } from '../../../activities/record';
import { contactWorkflowId } from '../../../domain/ids';
import type { CallOutcome } from '../../../domain/outcomes';
import type { AttemptRecord, GateDecision } from '../../../domain/types';

// Attempt rows written the way the contact workflow writes them: through the real record step.

export interface AttemptSpec {
  campaignId: string;
  contactId: number;
  externalId: string;
  seq: number;
  e164: string;
  outcome: CallOutcome;
  startedAt: string;
  position?: number;
  numberAttempt?: number;
  /** For a refusal: the gate's decision (a cap by default). */
  gate?: GateDecision;
  zones?: string[];
  /** The number a placed call presented (default: the test pool's first). */
  callerId?: string;
}

export const FIXTURE_CALLER_ID = '+74957770001';

const PASSED = [
  { rule: 'campaign_running', passed: true, detail: 'running' },
  { rule: 'not_blacklisted', passed: true },
  { rule: 'calling_hours', passed: true, detail: 'none policy, zones Europe/Moscow' },
];

export function capRefusal(checkedAt: string, retryAt: string): GateDecision {
  return {
    allowed: false, refusal: 'cap_reached', checkedAt, retryAt,
    checks: [...PASSED, { rule: 'cap_person_day', passed: false, detail: '1 of 1 (calendar)' }],
  };
}

export function attemptRecord(s: AttemptSpec): AttemptRecord {
  const refused = s.outcome === 'refused';
  const ended = new Date(Date.parse(s.startedAt) + (refused ? 0 : 20_000)).toISOString();
  const gate = s.gate ?? (refused ? capRefusal(s.startedAt, new Date(Date.parse(s.startedAt) + 3_600_000).toISOString())
    : { allowed: true as const, checks: PASSED, checkedAt: s.startedAt });
  return {
    workflowId: contactWorkflowId(s.campaignId, s.externalId), seq: s.seq, campaignId: s.campaignId, contactId: s.contactId,
    phonePosition: s.position ?? 1, e164: s.e164, numberAttempt: refused ? 0 : s.numberAttempt ?? 1,
    messageText: refused ? null : 'message', countUnanswered: true, zones: s.zones ?? ['Europe/Moscow'],
    result: {
      outcome: s.outcome, gate, channelId: null, hangupCause: s.outcome === 'busy' ? 17 : null, dtmf: s.outcome === 'answered' ? '1' : null,
      listenedMs: s.outcome === 'answered' ? 15_000 : null, startedAt: s.startedAt,
      answeredAt: s.outcome === 'answered' ? s.startedAt : null, endedAt: ended,
      callerId: refused ? null : s.callerId ?? FIXTURE_CALLER_ID,
    },
  };
}

export function recordAttempt(pool: Pool, s: AttemptSpec): Promise<number> {
  return record(pool, attemptRecord(s));
}
