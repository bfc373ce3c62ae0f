import { Context } from '@temporalio/activity';
import type { Client } from '@temporalio/client';
import type { Pool } from 'pg';
import type { CallOutcome } from '../domain/outcomes';
import type { AttemptRecord, CallRequest, ContactResult } from '../domain/types';
import {
  cancelPendingContacts, markCampaignCompleted, readCampaignStatus, startNextContactPage, wakeInFlightContacts, type PageRequest,
} from './campaignFeed';
import { call } from './call';
import { gate } from './gate';
import { gateAndPrepare, openAndGate, type GatePrepareQuestion } from './leanAttempt';
import { plan } from './plan';
import { prepare, prepareFromCache, prepareMessage, type PrepareRequest } from './prepare';
import { finish, record, recordAndFinish, speechFailed, type ContactEnd } from './record';
import { warmTemplate } from './warmTemplate';
import { deleteExpiredRecordings, type RecordingFiles } from './recordings';
import { countPersonalDataMatches, deletePersonalDataBatch, type DeletionBatchRequest } from './personalData';
import type { PersonalDataFilter } from '../domain/personalDataFilter';
import type { Telephony } from '../adapters/ari/telephony';
import { countAnswerHistory, type AnswerHistoryQuestion } from '../adapters/postgres/answerRates';
import type { AudioStore } from '../adapters/speech/speechPort';

export interface ActivityDeps {
  pool: Pool;
  telephony: Telephony;
  temporal: Client;
  taskQueue: string;
  /**
   * The clock the gate believes: the wall clock in production; the test server's clock in
   * time-skipping tests, so a skipped week is a week for the caps and the calling hours too.
   */
  clock: () => Promise<number>;
  /** This worker's identity, the holder of its channel leases. */
  holder: string;
  /** Where messages are made into audio: the speech cache in front of the template's provider. */
  audio: AudioStore;
  /** Asterisk's stored recordings, which the retention job deletes (the worker's ARI client). */
  recordings?: RecordingFiles;
}

/**
 * Every activity of the dialer, bound to its dependencies: the worker passes the real pool,
 * ARI telephony and Temporal client; the workflow proxies pick which run as local activities.
 */
export function createActivities(deps: ActivityDeps) {
  return {
    plan: (contactId: number) => plan(deps.pool, contactId),
    gate: async (q: { campaignId: string; contactId: number; e164: string; zones: string[] }) =>
      gate(deps.pool, { ...q, nowMs: await deps.clock(), checkWindow: false }),
    /** The plan, the first number's gate and its cached message in one transaction ('lean-attempt'). */
    openAndGate: async (contactId: number) => openAndGate(deps, await deps.clock(), contactId),
    /** The gate and, when it allows, the cached message in one transaction ('lean-attempt'). */
    gateAndPrepare: async (q: GatePrepareQuestion) => gateAndPrepare(deps, await deps.clock(), q),
    /** The local prepare of contacts recorded before 'speech-prepare' (its result holds the text). */
    prepare: (q: { contactId: number; templateId: number | null }) =>
      prepare(deps.pool, q.contactId, q.templateId),
    prepareMessage: (q: PrepareRequest) => prepareMessage(deps, q, Context.current().cancellationSignal),
    /** The local prepare when every piece is in the speech store ('prepare-local-when-cached'); else a miss. */
    prepareFromCache: (q: PrepareRequest) => prepareFromCache(deps, q),
    speechFailed: (q: { campaignId: string; contactId: number; detail: string }) => speechFailed(deps.pool, q),
    warmTemplate: (campaignId: string) => warmTemplate(deps, campaignId, Context.current().cancellationSignal),
    call: (req: CallRequest) => {
      const ctx = Context.current();
      return call(deps, req, {
        heartbeat: (detail) => ctx.heartbeat(detail),
        signal: ctx.cancellationSignal,
      });
    },
    record: (a: AttemptRecord) => record(deps.pool, a),
    /** The record and finish steps in one transaction, when the attempt ends the contact ('lean-attempt'). */
    recordAndFinish: (q: { attempt: AttemptRecord; end: ContactEnd }) => recordAndFinish(deps.pool, q.attempt, q.end),
    /**
     * The counts a strategy that learns from the attempt rows (bestHour) decides on: read once per
     * decision and kept in the workflow's history, so a replay decides the same without the database.
     */
    answerRates: (q: AnswerHistoryQuestion) => countAnswerHistory(deps.pool, q),
    finish: (q: { contactId: number; state: ContactResult['state']; outcome: CallOutcome | null }) =>
      finish(deps.pool, q.contactId, q.state, q.outcome),
    campaignStatus: (campaignId: string) => readCampaignStatus(deps.pool, campaignId),
    /** The recording retention schedule's step (workflows/recordingRetention.ts): `now` is the workflow's clock. */
    deleteExpiredRecordings: (nowIso: string) => {
      if (!deps.recordings) throw new Error('this worker has no ARI client for stored recordings (ActivityDeps.recordings)');
      const ctx = Context.current();
      return deleteExpiredRecordings({ pool: deps.pool, files: deps.recordings }, new Date(nowIso), (n) => ctx.heartbeat(n));
    },
    /** The personal data deletion's steps (workflows/personalDataDeletion.ts). */
    countPersonalDataMatches: (filter: PersonalDataFilter) => countPersonalDataMatches(deps.pool, filter),
    deletePersonalDataBatch: (req: DeletionBatchRequest) => {
      const ctx = Context.current();
      return deletePersonalDataBatch(deps, req, (d) => ctx.heartbeat(d));
    },
    startContactPage: (req: PageRequest) => startNextContactPage(deps, req),
    completeCampaign: (campaignId: string) => markCampaignCompleted(deps.pool, campaignId),
    wakeContacts: (campaignId: string) => {
      const ctx = Context.current();
      // A retry goes on from the last page a previous attempt finished.
      const afterId: unknown = ctx.info.heartbeatDetails;
      return wakeInFlightContacts(deps, campaignId, {
        afterId: typeof afterId === 'number' ? afterId : 0,
        onPage: (lastId) => ctx.heartbeat(lastId),
      });
    },
    cancelPendingContacts: (campaignId: string) => {
      const ctx = Context.current();
      return cancelPendingContacts(deps.pool, campaignId, (n) => ctx.heartbeat(n));
    },
  };
}

export type DialerActivities = ReturnType<typeof createActivities>;
