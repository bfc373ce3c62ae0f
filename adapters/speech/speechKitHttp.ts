import type { SpeechConfig } from '../../common/config';
import { SpeechRejectedError, SpeechUnavailableError, wholeSamples } from './speechPort';

// What SpeechKit's two REST APIs share: the credentials, a request with a deadline, and the
// sorting of failures into "try again later" (network, timeout, 429, 5xx: Temporal retries
// with backoff) and "this request cannot succeed" (other 4xx: fails at once, named).
// The key, the token and the text never enter an error message.

export interface SpeechKitCredentials {
  /** `Api-Key …` (a service account's API key) or `Bearer …` (an IAM token). */
  authorization: string;
  /** The folder to bill, sent where the API wants it (v1 with an IAM token; v3 always when set). */
  folderId?: string;
  usesIamToken: boolean;
}

export interface SpeechKitClientConfig {
  url: string;
  timeoutMs: number;
  credentials: SpeechKitCredentials;
}

/** The missing setting, or null when SpeechKit can be called. */
export function speechKitMissing(config: Pick<SpeechConfig, 'SPEECHKIT_API_KEY' | 'SPEECHKIT_IAM_TOKEN' | 'SPEECHKIT_FOLDER_ID'>): string | null {
  if (!config.SPEECHKIT_API_KEY && !config.SPEECHKIT_IAM_TOKEN) return 'SPEECHKIT_API_KEY or SPEECHKIT_IAM_TOKEN is not set';
  if (!config.SPEECHKIT_API_KEY && !config.SPEECHKIT_FOLDER_ID) return 'SPEECHKIT_FOLDER_ID is not set (an IAM token needs the folder to bill)';
  return null;
}

/** The credentials from the environment; an API key wins over a token when both are set. */
export function speechKitCredentials(config: Pick<SpeechConfig, 'SPEECHKIT_API_KEY' | 'SPEECHKIT_IAM_TOKEN' | 'SPEECHKIT_FOLDER_ID'>): SpeechKitCredentials {
  const missing = speechKitMissing(config);
  if (missing) throw new SpeechRejectedError(`SpeechKit is not configured: ${missing}`);
  if (config.SPEECHKIT_API_KEY) {
    return { authorization: `Api-Key ${config.SPEECHKIT_API_KEY}`, folderId: config.SPEECHKIT_FOLDER_ID, usesIamToken: false };
  }
  return { authorization: `Bearer ${config.SPEECHKIT_IAM_TOKEN}`, folderId: config.SPEECHKIT_FOLDER_ID, usesIamToken: true };
}

export interface ServiceError {
  /** The service's own code (v1 error_code, v3 gRPC code), when it gave one. */
  code: string | null;
  message: string;
}

/** One synthesis request of either API: what differs between v1 and v3. */
export interface SpeechKitCall {
  /** How messages name the API ('SpeechKit v1'). */
  api: string;
  url: string;
  /** The request's headers besides the authorization. */
  headers: Record<string, string>;
  body: string;
  /** The text spoken: kept out of every error message. */
  text: string;
  signal?: AbortSignal;
  /** The service's error out of a failed answer's body. */
  readError: (body: string) => ServiceError;
  /** The audio out of a 2xx answer (may throw SpeechUnavailableError or SpeechRejectedError). */
  readAudio: (res: Response) => Promise<Buffer>;
}

/**
 * POSTs the call with the credentials and a deadline and returns the answer's audio as whole
 * 16-bit samples. Throws SpeechUnavailableError or SpeechRejectedError: for a failed answer, a
 * failure while the answer is read, or an answer without audio.
 */
export async function synthesizeOverHttp(config: SpeechKitClientConfig, call: SpeechKitCall): Promise<Buffer> {
  const { authorization } = config.credentials;
  const opts = { timeoutMs: config.timeoutMs, signal: call.signal, secrets: [authorization.replace(/^\S+ /, ''), call.text] };
  const res = await post({ ...call, headers: { authorization, ...call.headers } }, opts);
  let pcm: Buffer;
  try {
    pcm = await call.readAudio(res);
  } catch (err) {
    throw readFailure(call.api, err, opts);
  }
  if (pcm.length < 2) throw new SpeechUnavailableError(`${call.api} answered 200 without audio`, 200);
  return wholeSamples(pcm);
}

/** POSTs and resolves with the response when it is 2xx; throws SpeechUnavailableError or SpeechRejectedError otherwise. */
async function post(
  { api, url, headers, body, readError }: SpeechKitCall,
  opts: { timeoutMs: number; signal?: AbortSignal; secrets: string[] },
): Promise<Response> {
  const timeout = AbortSignal.timeout(opts.timeoutMs);
  const signal = opts.signal ? AbortSignal.any([timeout, opts.signal]) : timeout;
  let res: Response;
  try {
    res = await fetch(url, { method: 'POST', headers, body, signal });
  } catch (err) {
    throw requestFailure(api, err, timeout, opts);
  }
  if (res.ok) return res;
  let answer = '';
  try {
    answer = await res.text();
  } catch {
    // The status alone says enough.
  }
  const e = readError(answer);
  const detail = scrub(`${e.code ? `${e.code}: ` : ''}${e.message}`, opts.secrets);
  const message = `${api} answered ${res.status}${detail ? ` (${detail})` : ''}`;
  if (res.status === 429 || res.status >= 500) throw new SpeechUnavailableError(message, res.status);
  throw new SpeechRejectedError(message, res.status);
}

/** A failure while the answer is read (a stream cut off, a deadline passing mid-answer). */
function readFailure(api: string, err: unknown, opts: { timeoutMs: number; signal?: AbortSignal }): Error {
  if (err instanceof SpeechRejectedError || err instanceof SpeechUnavailableError) return err;
  if (opts.signal?.aborted) return new SpeechUnavailableError(`${api}: the request was cancelled`);
  if (err instanceof Error && (err.name === 'TimeoutError' || err.name === 'AbortError')) {
    return new SpeechUnavailableError(`${api} did not answer within ${opts.timeoutMs} ms`);
  }
  return new SpeechUnavailableError(`${api}: the answer could not be read (${err instanceof Error ? err.message : String(err)})`);
}

function requestFailure(api: string, err: unknown, timeout: AbortSignal, opts: { timeoutMs: number; signal?: AbortSignal }): Error {
  if (opts.signal?.aborted && !timeout.aborted) return new SpeechUnavailableError(`${api}: the request was cancelled`);
  if (timeout.aborted) return new SpeechUnavailableError(`${api} did not answer within ${opts.timeoutMs} ms`);
  const cause = (err as { cause?: { code?: string; message?: string } }).cause;
  return new SpeechUnavailableError(`${api} could not be reached (${cause?.code ?? cause?.message ?? (err as Error).message})`);
}

/** The service's message without anything secret or personal, and not too long. */
function scrub(message: string, secrets: string[]): string {
  let out = message;
  for (const s of secrets) if (s) out = out.split(s).join('[…]');
  return out.replace(/\s+/g, ' ').trim().slice(0, 300);
}

/** Joins a base URL and a path: the base may end with a slash or carry a path prefix. */
export function endpoint(base: string, path: string): string {
  return `${base.replace(/\/+$/, '')}${path}`;
}
