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

export interface Telephony {
  call(spec: CallSpec, hooks: CallHooks): Promise<CallReport>;
  close(): Promise<void>;
}
