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
  close(): Promise<void>;
}
