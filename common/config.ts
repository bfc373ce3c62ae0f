import { createSecretKey, type KeyObject } from 'node:crypto';
import { z } from 'zod';

// Typed views of the environment, validated at start, so no address or secret is written twice
// and a mistake is reported with the variable's name instead of failing later. Each app reads
// only the pieces it uses: a command-line import needs a database, not an ARI password.

export const databaseEnv = z.object({
  DATABASE_URL: z.string().url(),
});

/** One AES-256 key of DIALER_PAYLOAD_KEYS; a KeyObject, so logging it shows no key bytes. */
export interface PayloadKey {
  id: string;
  key: KeyObject;
}

// The keys Temporal payloads are encrypted with (adapters/temporal/payloadCodec.ts):
// `id:<base64 of 32 bytes>`, comma-separated, the first encrypts, all decrypt (a rotation puts a
// new key first and keeps the old ones while histories written with them are kept). Required:
// a process that reaches Temporal without keys would write personal data in clear, so it does
// not start; scripts/stack.sh makes a development key. Errors name the entry, never its bytes.
const payloadKeysSetting = z.string({
  required_error: 'required: `id:<base64 of 32 random bytes>`, comma-separated, newest first (docs/payloadEncryption.md); `openssl rand -base64 32` makes one',
}).transform((text, ctx): PayloadKey[] => {
  const keys: PayloadKey[] = [];
  for (const [i, entry] of text.split(',').map((e) => e.trim()).entries()) {
    const at = `entry ${i + 1}`;
    const m = /^([A-Za-z0-9_.-]{1,64}):([A-Za-z0-9+/_-]+={0,2})$/.exec(entry);
    if (!m) {
      ctx.addIssue({ code: z.ZodIssueCode.custom, message: `${at}: expected id:<base64 key> (the id: letters, digits, '.', '_', '-')` });
      continue;
    }
    const [, id, encoded] = m;
    const bytes = Buffer.from(encoded, encoded.includes('-') || encoded.includes('_') ? 'base64url' : 'base64');
    if (bytes.length !== 32) {
      ctx.addIssue({ code: z.ZodIssueCode.custom, message: `${at} (key id ${id}): the key must be 32 bytes, base64-encoded; it is ${bytes.length}` });
    } else if (keys.some((k) => k.id === id)) {
      ctx.addIssue({ code: z.ZodIssueCode.custom, message: `${at}: key id ${id} is given twice` });
    } else {
      keys.push({ id, key: createSecretKey(bytes) });
    }
    bytes.fill(0);
  }
  return keys;
});

export const temporalEnv = z.object({
  TEMPORAL_ADDRESS: z.string().min(1).default('127.0.0.1:7233'),
  TEMPORAL_NAMESPACE: z.string().min(1).default('default'),
  TEMPORAL_TASK_QUEUE: z.string().min(1).default('dialer'),
  DIALER_PAYLOAD_KEYS: payloadKeysSetting,
});

export const ariEnv = z.object({
  // Asterisk's REST interface (or the project's ARI simulator, which speaks the same protocol).
  ASTERISK_ARI_URL: z.string().url().default('http://127.0.0.1:8188'),
  ARI_USERNAME: z.string().min(1).default('dialer'),
  ARI_PASSWORD: z.string().min(1),
  ARI_APP: z.string().regex(/^[A-Za-z0-9_-]+$/).default('dialer'),
  // Where originates go: `{number}` is replaced by the E.164 number without '+'.
  ARI_ENDPOINT_TEMPLATE: z.string().includes('{number}').default('PJSIP/{number}@carrier'),
  ARI_REQUEST_TIMEOUT_MS: z.coerce.number().int().positive().default(5000),
  // The language Asterisk plays sound: prompts in (sounds/<language>/...).
  ARI_PROMPT_LANGUAGE: z.string().regex(/^[a-z]{2}(_[A-Z]{2})?$/).default('ru'),
});

export const logEnv = z.object({
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
});

// Speech: Yandex SpeechKit's key (an API key of a service account, or a user's IAM token: never
// logged, never in an error), the cache Asterisk plays from, and the offline voice's programs.
// The cache's folder defaults to $DIALER_CACHE/speech-cache and its media prefix to that
// absolute path (adapters/speech/speechProviders.ts fills both in).
export const speechEnv = z.object({
  SPEECHKIT_API_KEY: z.string().min(1).optional(),
  SPEECHKIT_IAM_TOKEN: z.string().min(1).optional(),
  // The folder a user's IAM token bills (v1 `folderId`, v3 `x-folder-id`); a service account's
  // key needs none.
  SPEECHKIT_FOLDER_ID: z.string().min(1).max(50).optional(),
  // The service's base URL (the fake SpeechKit's in tests and the demo); v1 and v3 may differ.
  SPEECHKIT_URL: z.string().url().default('https://tts.api.cloud.yandex.net'),
  SPEECHKIT_V1_URL: z.string().url().optional(),
  SPEECHKIT_V3_URL: z.string().url().optional(),
  SPEECHKIT_TIMEOUT_MS: z.coerce.number().int().positive().default(15_000),
  SPEECH_CACHE_DIR: z.string().min(1).optional(),
  // What the call plays: sound:<prefix>/<key>. A path relative to Asterisk's sounds folder, or
  // absolute when Asterisk reads SPEECH_CACHE_DIR under the same path.
  SPEECH_MEDIA_PREFIX: z.string().min(1).regex(/^[^\s:]+$/, 'no spaces or colons').optional(),
  SPEECH_CACHE_MAX_BYTES: z.coerce.number().int().positive().default(2 * 1024 ** 3),
  // A file used this recently is never evicted: a message prepared for a call outlives the call.
  SPEECH_CACHE_MIN_AGE_MS: z.coerce.number().int().nonnegative().default(60 * 60 * 1000),
  ESPEAK_NG_BIN: z.string().min(1).optional(),
  SOX_BIN: z.string().min(1).optional(),
  DIALER_CACHE: z.string().min(1).optional(),
});

/** The worker: every part. */
export const workerEnv = databaseEnv.merge(temporalEnv).merge(ariEnv).merge(logEnv).merge(speechEnv).extend({
  // How long a subscriber has to press a key after the message ends.
  CALL_DTMF_WAIT_MS: z.coerce.number().int().nonnegative().default(5000),
  WORKER_MAX_CONCURRENT_CALLS: z.coerce.number().int().positive().default(200),
  // The workflow code bundled ahead of time (npm run build:workflows); unset: bundled at start.
  WORKFLOW_BUNDLE_PATH: z.string().min(1).optional(),
  // Prometheus: the dialer's GET /metrics, and the Temporal SDK core's own exporter on another
  // port (the core serves it itself). Unauthenticated, so loopback unless told; 0 disables.
  WORKER_METRICS_HOST: z.string().min(1).default('127.0.0.1'),
  WORKER_METRICS_PORT: z.coerce.number().int().min(0).max(65535).default(9464),
  WORKER_SDK_METRICS_PORT: z.coerce.number().int().min(0).max(65535).default(9465),
});

export type Config = z.infer<typeof workerEnv>;
export type DatabaseConfig = z.infer<typeof databaseEnv>;
export type SpeechConfig = z.infer<typeof speechEnv>;

export class ConfigError extends Error {}

/** Parses the environment with one of the schemas above; names every bad variable at once. */
export function readEnv<S extends z.ZodTypeAny>(schema: S, env: NodeJS.ProcessEnv = process.env): z.infer<S> {
  const parsed = schema.safeParse(env);
  if (!parsed.success) {
    const problems = parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`);
    throw new ConfigError(`invalid environment:\n  ${problems.join('\n  ')}`);
  }
  return parsed.data;
}

/** The worker's whole configuration. */
export function loadConfig(env: NodeJS.ProcessEnv = process.env): Config {
  return readEnv(workerEnv, env);
}
