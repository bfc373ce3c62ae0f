import { DateTime } from 'luxon';
import type { Pool } from 'pg';
import type { GateQuestion } from '../activities/gate';
import type { NewCampaignInput } from '../domain/campaignSettings';
import { createTestCampaign } from './fixtures';

// What the gate's tests on Postgres ask: Moscow times, 230-FZ campaigns, and the gate's question
// for one number (with a cap slot to reserve when a channel is named).

export const msk = 'Europe/Moscow';

/** Epoch ms of a local Moscow time, `2026-03-02T10:00`. */
export const at = (iso: string): number => DateTime.fromISO(iso, { zone: msk }).toMillis();

/** Makes 230-FZ campaigns `<prefix>1`, `<prefix>2`, … on the pool the test's database gives. */
export function campaignMaker(pool: () => Pool, prefix: string): (extra?: Partial<NewCampaignInput>) => Promise<string> {
  let n = 0;
  return (extra = {}) => createTestCampaign(pool(), { id: `${prefix}${++n}`, legalPolicy: 'ru_230fz', ...extra });
}

export function question(campaignId: string, contactId: number, e164: string, nowMs: number, channelId?: string): GateQuestion {
  return { campaignId, contactId, e164, zones: [msk], nowMs, checkWindow: true, ...(channelId ? { reserve: { channelId } } : {}) };
}
