import { z } from 'zod';

// One typed view of the environment, validated at start, so no address or secret is written
// twice and a mistake is reported with the variable's name instead of failing later.
const envSchema = z.object({
  DATABASE_URL: z.string().url(),
  TEMPORAL_ADDRESS: z.string().min(1).default('127.0.0.1:7233'),
  TEMPORAL_NAMESPACE: z.string().min(1).default('default'),
  TEMPORAL_TASK_QUEUE: z.string().min(1).default('dialer'),
  // Asterisk's REST interface (or the project's ARI simulator, which speaks the same protocol).
  ASTERISK_ARI_URL: z.string().url().default('http://127.0.0.1:8188'),
  ARI_USERNAME: z.string().min(1).default('dialer'),
  ARI_PASSWORD: z.string().min(1),
  ARI_APP: z.string().regex(/^[A-Za-z0-9_-]+$/).default('dialer'),
  // Where originates go: `{number}` is replaced by the E.164 number without '+'.
  ARI_ENDPOINT_TEMPLATE: z.string().includes('{number}').default('PJSIP/{number}@carrier'),
  ARI_REQUEST_TIMEOUT_MS: z.coerce.number().int().positive().default(5000),
  // How long a subscriber has to press a key after the message ends.
  CALL_DTMF_WAIT_MS: z.coerce.number().int().nonnegative().default(5000),
  WORKER_MAX_CONCURRENT_CALLS: z.coerce.number().int().positive().default(200),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
});

export type Config = z.infer<typeof envSchema>;

export class ConfigError extends Error {}

export function loadConfig(env: NodeJS.ProcessEnv = process.env): Config {
  const parsed = envSchema.safeParse(env);
  if (!parsed.success) {
    const problems = parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`);
    throw new ConfigError(`invalid environment:\n  ${problems.join('\n  ')}`);
  }
  return parsed.data;
}
