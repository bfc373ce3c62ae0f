import { defineQuery, defineSignal } from '@temporalio/workflow';
import type { CallOutcome } from '../domain/outcomes';

/** Wakes a contact that waits because its campaign was paused. */
export const campaignResumedSignal = defineSignal('campaignResumed');

/**
 * The campaign was resumed, stopped or edited. To the campaign workflow (from
 * adapters/temporal/campaignControl.ts): tell every contact in flight. To a contact: whatever
 * it waits for (its hours, a retry, a pause), re-read the plan and ask the gate again now.
 */
export const campaignChangedSignal = defineSignal('campaignChanged');

export interface ContactProgress {
  step: 'gate' | 'wait' | 'prepare' | 'call' | 'record' | 'decide' | 'paused' | 'finished';
  phonePosition: number | null;
  attempts: number;
  lastOutcome: CallOutcome | null;
  /** ISO time the contact sleeps until, when it waits for its window or a retry. */
  sleepingUntil: string | null;
}
export const contactProgressQuery = defineQuery<ContactProgress>('progress');

export interface CampaignProgress {
  cursor: number;
  startedThisRun: number;
  runs: number;
  state: string;
}
export const campaignProgressQuery = defineQuery<CampaignProgress>('progress');
