import type { CallOutcome } from '../../domain/outcomes';
import type { CallFacts, CallHandling } from '../../domain/types';

// The project's own telephony interface: the call activity speaks only this, so the ARI
// client behind it (and its quirks) can change without touching the flow of a contact.

export interface CallSpec {
  channelId: string;
  /** E.164 with '+'. */
  e164: string;
  callerId: string;
  ringTimeoutSeconds: number;
  /** Asterisk media URIs, played in order once the subscriber answers. */
  media: string[];
  /** The trunk's endpoint (`{number}` for the digits); the telephony's default when absent. */
  endpointTemplate?: string;
  handling: CallHandling;
  /**
   * Record the call once answered, both directions, under this name (adapters/ari/
   * callRecording.ts); absent: not recorded. Telephonies that cannot record ignore it.
   */
  recordAs?: string;
}

export interface CallHooks {
  /** Called at least every few seconds while the call lasts (activity heartbeats). */
  heartbeat(detail: string): void;
  /** Aborts when the workflow cancels the call: the channel is hung up. */
  signal?: AbortSignal;
}

export interface CallReport extends CallFacts {
  outcome: Exclude<CallOutcome, 'refused'>;
  channelId: string;
  /** The recording of the call, when one was asked for (recordAs) and the call was answered. */
  recording?: CallRecordingFacts;
}

/** A finished recording as the telephony stored it. */
export interface CallRecordingFacts {
  /** Its stored name, without the format's extension. */
  name: string;
  format: 'wav';
  startedAt: string;
  endedAt: string;
  /** As long as the audio in the file. */
  durationMs: number;
  bytes: number;
}

/**
 * Why a trunk carries no call now: its endpoint is offline or unknown (qualify, ARI's endpoint
 * state), Asterisk could not allocate a channel on it ("Allocation failed"), or the carrier
 * refused our call (403, a failed authentication).
 */
export type TrunkDownReason = 'offline' | 'unknown' | 'allocation_failed' | 'refused';

/**
 * The call was not placed, or was refused by the carrier before any subscriber was asked,
 * because of the trunk: not an attempt. Nothing is charged to the contact (no attempt, no cap
 * slot); the contact waits and tries again after `retryAfterMs`.
 */
export class TrunkDownError extends Error {
  override readonly name = 'TrunkDownError';
  constructor(
    /** The ARI endpoint of the trunk, e.g. 'PJSIP/carrier'. */
    readonly trunk: string,
    readonly reason: TrunkDownReason,
    readonly retryAfterMs: number,
    /** The carrier's SIP response, for 'refused'. */
    readonly sipCode: number | null = null,
  ) {
    super(`trunk ${trunk} is down (${reason}${sipCode ? ` ${sipCode}` : ''}): the call was not placed`);
  }
}

/**
 * A call whose originate Asterisk has accepted: it exists from now on, whatever happens to the
 * caller. `follow()` must be called once; it resolves at the hangup.
 */
export interface PlacedCall {
  follow(): Promise<CallReport>;
}

/**
 * Two steps, so the caller can hold something across the first one only: the call activity
 * sends the originate inside the transaction that re-reads the campaign's state, and a pause
 * waits for that transaction (activities/call.ts, adapters/postgres/campaignAdmission.ts).
 */
export interface Telephony {
  /**
   * Sends the originate and resolves once Asterisk accepted it, within the client's request
   * timeout. When it throws, no channel of this id is left up.
   */
  originate(spec: CallSpec, hooks: CallHooks): Promise<PlacedCall>;
  /**
   * Throws TrunkDownError when the trunk of `endpointTemplate` (the telephony's default when
   * absent) is known to be down, before anything is reserved for the call. Telephonies without
   * trunks (a simulator, a test double) may leave it out.
   */
  ensureTrunkUp?(endpointTemplate?: string): Promise<void>;
  close(): Promise<void>;
}
