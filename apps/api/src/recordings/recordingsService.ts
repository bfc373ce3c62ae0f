import { Inject, Injectable } from '@nestjs/common';
import type { Pool } from 'pg';
import { readRecording, searchRecordings, type RecordingRow, type StoredRecording } from '../../../../adapters/postgres/recordings';
import { InputError } from '../../../../domain/inputError';
import { parseInput } from '../../../../domain/parseInput';
import { PG_POOL } from '../infra/tokens';
import { recordingFilterSchema } from './recordingFilter';
import type { CallRecording, CallRecordingPage } from './recordingsTypes';

/** The largest page one request may ask for. */
export const MAX_RECORDING_PAGE = 1000;

@Injectable()
export class RecordingsService {
  constructor(@Inject(PG_POOL) private readonly pool: Pool) {}

  async search(filter: unknown, first: number, after: string | null): Promise<CallRecordingPage> {
    const parsed = parseInput(recordingFilterSchema, filter ?? {}, 'filter');
    if (!Number.isInteger(first) || first < 1 || first > MAX_RECORDING_PAGE) {
      throw new InputError(`first: between 1 and ${MAX_RECORDING_PAGE}`, [{ path: 'first', message: `between 1 and ${MAX_RECORDING_PAGE}` }]);
    }
    if (after !== null && !/^\d{1,18}$/.test(after)) {
      throw new InputError('after: the endCursor of a previous page', [{ path: 'after', message: 'the endCursor of a previous page' }]);
    }
    const page = await searchRecordings(this.pool, parsed, { afterId: after === null ? null : Number(after), first });
    const items = page.rows.map(toRecording);
    return { items, endCursor: items.at(-1)?.id ?? null, hasNextPage: page.hasNextPage };
  }

  /** A recording still stored, by its id as the path gives it; null when there is none (or it was deleted). */
  async stored(id: string): Promise<StoredRecording | null> {
    if (!/^\d{1,18}$/.test(id)) return null;
    const r = await readRecording(this.pool, Number(id));
    return r && !r.deleted_at ? r : null;
  }
}

export const audioPathOf = (id: string): string => `/recordings/${id}/audio.wav`;

function toRecording(r: RecordingRow): CallRecording {
  const id = String(r.id);
  return {
    id, campaignId: r.campaign_id, attemptId: r.attempt_id === null ? null : String(r.attempt_id), number: r.e164, outcome: r.outcome,
    startedAt: r.started_at, endedAt: r.ended_at, durationMs: r.duration_ms, bytes: Number(r.bytes), expiresAt: r.expires_at,
    audioPath: audioPathOf(id),
  };
}
