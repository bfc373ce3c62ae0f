import { defineQuery, defineSignal } from '@temporalio/workflow';
import type { CallOutcome } from '../domain/outcomes';

/** Wakes a contact that waits because its campaign was paused. */
export const campaignResumedSignal = defineSignal('campaignResumed');

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
