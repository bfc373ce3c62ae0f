import { ActivityFailure, ApplicationFailure, TemporalFailure, condition, isCancellation } from '@temporalio/workflow';
import { prepare, prepareFromCache, prepareMessage, speechFailed } from './activityProxies';
import { PAUSE_RECHECK_MS } from './gateRefusals';
import type { CachedPrepare } from '../../activities/prepare';
import { LOCAL_PREPARE_PATCH, SPEECH_PATCH } from './patches';
import { hasPatch, type Session } from './session';

/** What the call plays and what its attempt row cites. */
export interface PreparedForCall {
  media: string[];
  /** The text itself: only contacts recorded before 'speech-prepare' carried it in the history. */
  messageText: string | null;
  /** The prepared_message row the attempt row cites (null: nothing said, or the old local prepare). */
  preparedId: number | null;
}

/**
 * The message made into audio for this attempt (cheap when its pieces are cached: the store
 * keeps every file touched within the hour, so the media exist when the call plays them).
 * When it cannot be made (after the retry policy's retries, or at once for what retrying
 * cannot mend) nothing is dialled and no attempt is spent: the contact's wait names the
 * error, and it waits until the campaign changes or the pause re-check has passed: 'waited'.
 * `cached`: what the lean attempt's gate step prepared from the store already (a hit is the
 * message; a miss goes straight to prepareMessage); null: nothing was asked there.
 */
export async function prepareForCall(s: Session, cached: CachedPrepare | null = null): Promise<PreparedForCall | 'waited'> {
  s.progress.step = 'prepare';
  if (!hasPatch(s, SPEECH_PATCH)) {
    s.message ??= await prepare({ contactId: s.plan.contactId, templateId: s.plan.templateId });
    return { media: s.message.media, messageText: s.message.text, preparedId: null };
  }
  const { plan } = s;
  if (plan.templateId === null) return { media: [], messageText: null, preparedId: null };
  const request = {
    campaignId: plan.campaignId, contactId: plan.contactId, templateId: plan.templateId,
    templateVersion: plan.templateVersion ?? null,
  };
  if (cached) {
    if (!('miss' in cached)) return { media: cached.media, messageText: null, preparedId: cached.preparedId };
  } else if (hasPatch(s, LOCAL_PREPARE_PATCH)) {
    const hit = await fromCache(request);
    if (hit) return hit;
  }
  try {
    const { media, preparedId } = await prepareMessage(request);
    return { media, messageText: null, preparedId };
  } catch (err) {
    if (!(err instanceof ActivityFailure) || isCancellation(err)) throw err;
    const cause = err.cause;
    // A deleted contact ends the workflow, as the plan step's does.
    if (cause instanceof ApplicationFailure && cause.type === 'ContactNotFoundError') throw err;
    await speechFailed({ campaignId: plan.campaignId, contactId: plan.contactId, detail: failureDetail(err) });
    s.progress.step = 'wait';
    await condition(() => s.changes > s.planned, PAUSE_RECHECK_MS);
    return 'waited';
  }
}

/**
 * The message prepared by the local step when every piece is in the speech store; null (a miss,
 * or the local step itself failing) leaves it to the prepareMessage activity and its handling.
 */
async function fromCache(request: Parameters<typeof prepareFromCache>[0]): Promise<PreparedForCall | null> {
  try {
    const result = await prepareFromCache(request);
    return 'miss' in result ? null : { media: result.media, messageText: null, preparedId: result.preparedId };
  } catch (err) {
    // A local activity's failure reaches the workflow as its ApplicationFailure (or a timeout),
    // not wrapped in an ActivityFailure as a normal activity's is: any failure is a miss.
    if (!(err instanceof TemporalFailure) || isCancellation(err)) throw err;
    return null;
  }
}

/**
 * What a failed prepare is called in the contact's wait: the activity's own detail (the error
 * type with a status, a variable's or a clip's name), else the failure's type ('timeout').
 */
function failureDetail(err: ActivityFailure): string {
  const cause = err.cause;
  if (cause instanceof ApplicationFailure) {
    const [first] = cause.details ?? [];
    const detail = (first as { detail?: unknown } | undefined)?.detail;
    return typeof detail === 'string' ? detail : cause.type ?? 'ApplicationFailure';
  }
  return cause?.name === 'TimeoutFailure' ? 'timeout' : (cause?.name ?? 'unknown');
}
