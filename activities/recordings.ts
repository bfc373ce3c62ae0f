import type { Pool } from 'pg';
import type { CallRecordingFacts } from '../adapters/ari/telephony';
import { writeAudit } from '../adapters/postgres/apiAccess';
import { expiredRecordings, insertRecording, markRecordingDeleted, type StoredRecording } from '../adapters/postgres/recordings';
import { inTransaction } from '../adapters/postgres/transaction';
import { createLogger } from '../common/logger';

// The call step's recording (docs/recording.md): its row once Asterisk stored it (whether a call
// is recorded comes with the gate's last check, activities/gate.ts gateForCall); and the
// retention job that deletes what expired.

const log = createLogger('recording');

/** The attempt a recording belongs to: its natural key and campaign. */
export interface RecordedAttempt {
  workflowId: string;
  seq: number;
  campaignId: string;
}

/**
 * The row of a recording Asterisk stored. A failure here must not fail the call step (a retry
 * would dial the subscriber again): it is said, with the stored name, so the file can be found.
 */
export async function keepRecording(pool: Pool, a: RecordedAttempt, r: CallRecordingFacts): Promise<void> {
  await insertRecording(pool, { ...a, ...r }).catch((err: unknown) => {
    log.error({ recording: r.name, campaignId: a.campaignId, err: (err as Error).message }, 'a stored recording has no row');
  });
}

/** What deleting needs of Asterisk: the stored recording's DELETE (adapters/ari/ariClient.ts). */
export interface RecordingFiles {
  /** False when the file was already gone. */
  deleteStoredRecording(name: string): Promise<boolean>;
}

/** Who the audit log names for deletions by retention. */
export const RETENTION_ACTOR = 'system:retention';

/**
 * The retention job's step: every recording whose retention ended by `now` is deleted
 * (deleteRecording), a page at a time. Returns how many.
 */
export async function deleteExpiredRecordings(
  deps: { pool: Pool; files: RecordingFiles }, now: Date, onPage: (deleted: number) => void = () => undefined, pageSize = 200,
): Promise<number> {
  let deleted = 0;
  for (;;) {
    const expired = await expiredRecordings(deps.pool, now, pageSize);
    for (const r of expired) {
      if (await deleteRecording(deps, r, { actor: RETENTION_ACTOR, reason: 'retention' })) deleted++;
    }
    onPage(deleted);
    if (expired.length < pageSize) return deleted;
  }
}

/**
 * One recording deleted from Asterisk, then its row marked deleted with an audit row naming
 * who and why (the row and the audit stay). A file already gone still gets its row marked.
 * False when another deletion marked the row first. Retention uses it, and so can the deletion
 * of a contact's personal data.
 */
export async function deleteRecording(
  deps: { pool: Pool; files: RecordingFiles }, r: Pick<StoredRecording, 'id' | 'name' | 'campaign_id'>, why: { actor: string; reason: string },
): Promise<boolean> {
  const existed = await deps.files.deleteStoredRecording(r.name);
  return inTransaction(deps.pool, async (db) => {
    if (!(await markRecordingDeleted(db, Number(r.id), new Date()))) return false;
    await writeAudit(db, {
      actor: why.actor, action: 'recording.deleted', entity: 'call_recording', entityId: String(r.id),
      details: { name: r.name, campaignId: r.campaign_id, reason: why.reason, fileExisted: existed }, source: null,
    });
    return true;
  });
}
