import { ApplicationFailure } from '@temporalio/common';
import { DatabaseError, type Pool } from 'pg';
import type { PreparedAudio, PreparedMessage } from '../domain/types';
import { messageVariables, renderPieces, renderTemplate } from '../domain/messageTemplate';
import type { SpokenPiece } from '../domain/messagePieces';
import type { SpeechSettings } from '../domain/speechSettings';
import { readMessageInputs } from '../adapters/postgres/contacts';
import { contactExists, readMessageSource, savePreparedMessage } from '../adapters/postgres/preparedMessages';
import type { Queryable } from '../adapters/postgres/transaction';
import { setContactWait } from '../adapters/postgres/waits';
import type { AudioRef, AudioStore } from '../adapters/speech/speechPort';
import { ContactNotFoundError } from './plan';

/**
 * The "prepare" step of contacts recorded before the speech port ('speech-prepare'): a local
 * activity whose result (with the text) is in their histories. Kept as it was, so they replay.
 */
export async function prepare(
  pool: Pool, contactId: number, templateId: number | null,
): Promise<PreparedMessage> {
  if (templateId === null) return { text: '', media: [] };
  const inputs = await readMessageInputs(pool, contactId, templateId);
  if (!inputs) throw new Error(`contact ${contactId} or template ${templateId} does not exist`);
  const { body, full_name, variables } = inputs;
  return renderTemplate(templateId, body, messageVariables(full_name, variables));
}

/** A clip the version pinned whose audio is not in the store (deleted, or another host's disk). */
export class AudioClipMissingError extends Error {
  override readonly name = 'AudioClipMissingError';
  constructor(readonly clip: string) {
    super(`template plays {{audio:${clip}}}, but the audio of clip ${clip} is not in the speech store`);
  }
}

export interface PrepareRequest {
  campaignId: string;
  contactId: number;
  templateId: number | null;
  /** The campaign's pinned version; null: whatever the campaign pins now (plans read before versions). */
  templateVersion: number | null;
}

/**
 * The "prepare" step: the contact's message rendered from the pinned template version, each
 * piece made audio through the store (static text and clips are usually there already, warmed
 * by the campaign; personal pieces are synthesised once per distinct text), the pieces
 * assembled into the one file the call plays, and the text kept in prepared_message. Returns
 * references only. A failure is written as the contact's wait ('speech_failure', naming the
 * error, never a value) and thrown as an ApplicationFailure of the error's type, which the
 * workflow's retry policy retries (SpeechUnavailableError) or not.
 */
export async function prepareMessage(
  deps: { pool: Pool; audio: AudioStore }, q: PrepareRequest, signal?: AbortSignal,
): Promise<PreparedAudio> {
  try {
    return await prepareWith({ db: deps.pool, audio: deps.audio }, q, (settings, piece) => pieceAudio(deps.audio, settings, piece, signal));
  } catch (err) {
    const failure = describeFailure(err);
    if (failure.type !== 'ContactNotFoundError') {
      // Best effort: the failure itself is what the workflow must see.
      await setContactWait(deps.pool, {
        reason: 'speech_failure', detail: failure.detail, until: null,
        contactId: q.contactId, campaignId: q.campaignId, atMs: Date.now(),
      }).catch(() => undefined);
    }
    throw ApplicationFailure.create({ type: failure.type, message: failure.message, details: [{ detail: failure.detail }], cause: err as Error });
  }
}

/** prepareFromCache could not prepare the message from the store alone: prepareMessage does it. */
export interface PrepareMiss {
  miss: true;
}

export type CachedPrepare = PreparedAudio | PrepareMiss;

/** Thrown inside prepareFromCache when a piece is not in the store; never leaves it. */
class PieceNotCachedError extends Error {
  override readonly name = 'PieceNotCachedError';
}

/**
 * The "prepare" step when every piece of the message is in the store already (the usual case
 * once a campaign is warm and its personal texts have been heard): the same rendering, row and
 * result as prepareMessage, from local disk and Postgres only, so the workflow runs it as a
 * local activity and spares the server an activity task. It never asks a speech provider and
 * never fails: a piece not in the store, or any error at all (a template variable, a missing
 * clip, a deleted contact, the store), answers a miss with no row written, and the workflow runs
 * prepareMessage, whose failures are handled as they always were.
 */
export async function prepareFromCache(deps: { pool: Pool; audio: AudioStore }, q: PrepareRequest): Promise<CachedPrepare> {
  try {
    return await prepareFromCacheOn(deps.pool, deps.audio, q);
  } catch {
    return { miss: true };
  }
}

/**
 * prepareFromCache on `db`, which may be a client in the caller's transaction (the lean
 * attempt's gateAndPrepare): a miss as above, except for an error of Postgres itself, which
 * has aborted that transaction and is thrown, so the caller's step fails whole and runs again.
 */
export async function prepareFromCacheOn(db: Queryable, audio: AudioStore, q: PrepareRequest): Promise<CachedPrepare> {
  try {
    return await prepareWith({ db, audio }, q, async (settings, piece) => {
      const ref = piece.kind === 'clip' ? await audio.find(piece.audioKey) : await audio.cached(settings, piece.text);
      if (!ref) throw new PieceNotCachedError('a piece of the message is not in the speech store');
      return ref;
    });
  } catch (err) {
    if (err instanceof DatabaseError) throw err;
    return { miss: true };
  }
}

type PieceSource = (settings: SpeechSettings, piece: SpokenPiece) => Promise<AudioRef>;

/** Renders, finds each piece's audio through `audioOf`, assembles and keeps the prepared_message row. */
async function prepareWith(deps: { db: Queryable; audio: AudioStore }, q: PrepareRequest, audioOf: PieceSource): Promise<PreparedAudio> {
  if (q.templateId === null) return { preparedId: null, media: [], durationMs: 0 };
  const source = await readMessageSource(deps.db, q.contactId, q.templateId, q.templateVersion);
  if (!source) {
    if (!(await contactExists(deps.db, q.contactId))) throw new ContactNotFoundError(`contact ${q.contactId} does not exist`);
    throw new Error(`template ${q.templateId} has no version ${q.templateVersion ?? '(pinned)'}`);
  }
  const rendered = renderPieces(source.body, source.variables, source.clips);
  const refs = await Promise.all(rendered.pieces.map((p) => audioOf(source.speech, p)));
  // A body that says nothing (punctuation only) plays nothing; its text still reaches the attempt.
  const audio = refs.length > 0 ? await deps.audio.assemble(refs) : { key: '', media: null, durationMs: 0 };
  const preparedId = await savePreparedMessage(deps.db, {
    contactId: q.contactId, templateId: source.templateId, templateVersion: source.templateVersion,
    text: rendered.text, audioKey: audio.key, durationMs: audio.durationMs,
  });
  return { preparedId, media: audio.media ? [audio.media] : [], durationMs: audio.durationMs };
}

async function pieceAudio(audio: AudioStore, settings: SpeechSettings, piece: SpokenPiece, signal?: AbortSignal): Promise<AudioRef> {
  if (piece.kind !== 'clip') return audio.speak(settings, piece.text, signal);
  const ref = await audio.find(piece.audioKey);
  if (!ref) throw new AudioClipMissingError(piece.name);
  return ref;
}

/**
 * An error as the workflow and "why is nothing dialing?" see it: its type, a message and a
 * short detail (the type with an HTTP status or a variable's or clip's name). The renderer's and
 * the speech port's messages name fields and statuses, never values.
 */
function describeFailure(err: unknown): { type: string; message: string; detail: string } {
  const e = err instanceof Error ? err : new Error(String(err));
  const extra = e as { status?: number | null; variable?: string; clip?: string };
  const what = extra.status ?? extra.variable ?? extra.clip;
  return { type: e.name, message: e.message, detail: what === undefined || what === null ? e.name : `${e.name} ${what}` };
}
