import type { SpeechSettings } from '../../domain/speechSettings';

// The project's own speech interface, beside the telephony port: the prepare step speaks only
// this, so a provider (SpeechKit v1 or v3, the offline voice) can change without touching the
// flow of a contact. All audio in and out is 8 kHz, 16-bit signed little-endian, mono PCM:
// what Asterisk plays as slin, and what SpeechKit returns for format=lpcm, sampleRateHertz=8000.

export const SAMPLE_RATE = 8000;
/** Bytes of PCM per millisecond at SAMPLE_RATE, 16-bit mono. */
export const BYTES_PER_MS = (SAMPLE_RATE * 2) / 1000;

/** The PCM without a trailing odd byte, which would shift every later sample of an assembled message. */
export function wholeSamples(pcm: Buffer): Buffer {
  return pcm.length % 2 ? pcm.subarray(0, pcm.length - 1) : pcm;
}

export interface SynthesisRequest {
  /** Plain text to speak (never logged: it may hold a name or an amount). */
  text: string;
  settings: SpeechSettings;
  signal?: AbortSignal;
}

export interface SpeechProvider {
  /** The provider's name as templates give it (domain/speechSettings.ts). */
  readonly name: SpeechSettings['provider'];
  /** The text as 8 kHz 16-bit mono PCM. Throws SpeechUnavailableError or SpeechRejectedError. */
  synthesize(req: SynthesisRequest): Promise<Buffer>;
}

/**
 * The service could not answer now (a network error, a timeout, 429, 5xx): retrying later may
 * succeed, so Temporal's retry policy retries the prepare step with backoff.
 */
export class SpeechUnavailableError extends Error {
  override readonly name = 'SpeechUnavailableError';
  constructor(message: string, readonly status: number | null = null) {
    super(message);
  }
}

/**
 * The service refused the request itself (401, 403, 400, …): retrying the same request cannot
 * help. The prepare step's retry policy lists this type as non-retryable.
 */
export class SpeechRejectedError extends Error {
  override readonly name = 'SpeechRejectedError';
  constructor(message: string, readonly status: number | null = null) {
    super(message);
  }
}

/** A stored piece of audio, by content key (sha256 hex of what made it). */
export interface AudioRef {
  key: string;
  /** Length of its PCM in bytes (BYTES_PER_MS per millisecond). */
  bytes: number;
}

/**
 * Where synthesised and uploaded audio lives: content-addressed files in a folder Asterisk reads
 * (adapters/speech/audioStore.ts), with a size limit, eviction and hit/miss metrics.
 */
export interface AudioStore {
  /**
   * The audio of `text` in the settings' voice: from the cache, or synthesised once by the
   * settings' provider (concurrent asks for the same key share one request).
   */
  speak(settings: SpeechSettings, text: string, signal?: AbortSignal): Promise<AudioRef>;
  /**
   * The audio of `text` in the settings' voice when the store has it already, else null; never
   * asks a provider (the prepare step's local try: no network inside a local activity).
   */
  cached(settings: SpeechSettings, text: string): Promise<AudioRef | null>;
  /** Stores PCM (an uploaded clip, converted): its content key. */
  put(pcm: Buffer): Promise<AudioRef>;
  /** A stored piece, or null when it is not (or no longer) in the store. */
  find(key: string): Promise<AudioRef | null>;
  /**
   * The pieces one after another as one file, stored by content key; `media` is the URI the
   * call plays (`sound:<prefix>/<key>`, no extension: Asterisk picks the .sln file).
   */
  assemble(pieces: AudioRef[]): Promise<{ key: string; media: string; durationMs: number }>;
  /** The PCM of a stored piece (previews, tests); null when absent. */
  read(key: string): Promise<Buffer | null>;
  /**
   * Removes a synthesised or assembled piece (a deleted contact's personal audio); never an
   * uploaded clip. False when it was not there.
   */
  forget(key: string): Promise<boolean>;
}
