import type { Client } from '@temporalio/client';
import type { Pool } from 'pg';
import { contactWorkflowId } from '../domain/ids';
import { renderPieces } from '../domain/messageTemplate';
import type { PersonalDataFilter } from '../domain/personalDataFilter';
import {
  audioKeysStillUsed, auditErasure, countPersonalData, erasePersonalData, nextPersonalDataBatch, preparedAudioOf, storedRecordingsOf,
  type ErasureCounts,
} from '../adapters/postgres/personalData';
import { readMessageSource } from '../adapters/postgres/preparedMessages';
import { inTransaction } from '../adapters/postgres/transaction';
import { speechKey } from '../adapters/speech/audioStore';
import type { AudioStore } from '../adapters/speech/speechPort';
import { deleteWorkflowHistories } from '../adapters/temporal/workflowHistories';
import { deleteRecording, type RecordingFiles } from './recordings';

// The deletion of contacts' personal data (docs/personalData.md), one batch per activity call
// of workflows/personalDataDeletion.ts. Everything outside Postgres goes first — the contact's
// workflow histories (its running workflow terminated first, so it writes nothing more), its
// recordings (through ARI), its personal audio in the speech cache — and the rows last, in one
// transaction: a batch that fails halfway is taken again whole by the retry, because only the
// erased rows drop out of the filter.

export interface PersonalDataDeps {
  pool: Pool;
  temporal: Client;
  audio: AudioStore;
  recordings?: RecordingFiles;
}

export interface DeletionBatchRequest {
  filter: PersonalDataFilter;
  jobId: string;
  actor: string;
  limit: number;
}

export type DeletionCounts = ErasureCounts & { recordings: number; histories: number; audioFiles: number };

/** Histories deleted at once: each is a few calls to the Temporal server. */
const HISTORY_CONCURRENCY = 8;

export function countPersonalDataMatches(pool: Pool, filter: PersonalDataFilter): Promise<number> {
  return countPersonalData(pool, filter);
}

/** The next batch of the filter deleted; its counts (contacts 0: nothing was left). */
export async function deletePersonalDataBatch(
  deps: PersonalDataDeps, req: DeletionBatchRequest, heartbeat: (detail: unknown) => void = () => undefined,
): Promise<DeletionCounts> {
  const batch = await nextPersonalDataBatch(deps.pool, req.filter, req.limit);
  const counts: DeletionCounts = {
    contacts: 0, phones: 0, variables: 0, consents: 0, preparedMessages: 0, attempts: 0, importLines: 0, recordings: 0, histories: 0, audioFiles: 0,
  };
  if (batch.length === 0) return counts;
  const ids = batch.map((c) => c.id);
  const workflowIds = batch.map((c) => contactWorkflowId(c.campaignId, c.externalId));

  counts.histories = await deleteHistories(deps.temporal, workflowIds, heartbeat);

  const recordings = await storedRecordingsOf(deps.pool, workflowIds);
  if (recordings.length > 0 && !deps.recordings) {
    throw new Error('this worker has no ARI client for stored recordings (ActivityDeps.recordings): the contacts\' recordings cannot be deleted');
  }
  for (const r of recordings) {
    if (await deleteRecording({ pool: deps.pool, files: deps.recordings! }, r, { actor: req.actor, reason: `personal data deletion ${req.jobId}` })) counts.recordings++;
  }
  heartbeat({ stage: 'recordings', contacts: ids.length });

  for (const key of await personalAudioKeys(deps.pool, ids)) {
    if (await deps.audio.forget(key)) counts.audioFiles++;
  }

  const erased = await inTransaction(deps.pool, async (db) => {
    const c = await erasePersonalData(db, ids, new Date());
    await auditErasure(db, { actor: req.actor, jobId: req.jobId, contactIds: ids, counts: { ...c, recordings: counts.recordings, histories: counts.histories, audioFiles: counts.audioFiles } });
    return c;
  });
  return { ...counts, ...erased };
}

async function deleteHistories(client: Client, workflowIds: string[], heartbeat: (detail: unknown) => void): Promise<number> {
  let deleted = 0;
  for (let i = 0; i < workflowIds.length; i += HISTORY_CONCURRENCY) {
    const done = await Promise.all(workflowIds.slice(i, i + HISTORY_CONCURRENCY)
      .map((id) => deleteWorkflowHistories(client, id, 'personal data deleted')));
    deleted += done.filter(Boolean).length;
    heartbeat({ stage: 'histories', done: i + HISTORY_CONCURRENCY });
  }
  return deleted;
}

/**
 * The speech cache's files that hold these contacts' personal data: each prepared message's
 * assembled file, unless another contact's prepared message plays the same file, and the
 * personal pieces (a name, an amount in words) it was assembled from. A piece is removed even
 * when another contact says the same words: pieces are a cache, a later prepare synthesises it
 * again, and telling who else says "Ivan Petrov" would mean rendering every other contact.
 */
async function personalAudioKeys(pool: Pool, contactIds: number[]): Promise<string[]> {
  const prepared = await preparedAudioOf(pool, contactIds);
  const keys = new Set<string>();
  const assembled = [...new Set(prepared.map((p) => p.audio_key).filter((k) => k !== ''))];
  const shared = await audioKeysStillUsed(pool, assembled, contactIds);
  for (const k of assembled) if (!shared.has(k)) keys.add(k);
  for (const p of prepared) {
    const source = await readMessageSource(pool, Number(p.contact_id), Number(p.template_id), p.template_version);
    if (!source) continue;
    try {
      for (const piece of renderPieces(source.body, source.variables, source.clips).pieces) {
        if (piece.kind === 'personal') keys.add(speechKey(source.speech, piece.text));
      }
    } catch {
      // The version no longer renders with these variables: nothing was made of it either.
    }
  }
  return [...keys];
}

