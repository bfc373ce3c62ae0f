// Runs the ARI simulator as its own process: `npx tsx apps/ari-simulator/main.ts`.
// Settings come from the environment (see README.md beside this file).
import { readFileSync } from 'node:fs';
import { z } from 'zod';
import { createLogger } from '../../common/logger';
import { BEHAVIOURS, startAriSimulator, type Behaviour, type HourProfile, type NumberRule } from './simulator';

const log = createLogger('ari-simulator');

const behaviourSchema = z.enum(BEHAVIOURS as [Behaviour, ...Behaviour[]]);
const rulesSchema = z.array(z.object({
  match: z.string().min(1).refine((s) => {
    try { new RegExp(s); return true; } catch { return false; }
  }, 'not a valid regular expression'),
  behaviours: z.array(behaviourSchema).min(1),
}));

const envSchema = z.object({
  ARI_SIM_HOST: z.string().min(1).default('127.0.0.1'),
  ARI_SIM_PORT: z.coerce.number().int().min(0).max(65535).default(8188),
  ARI_USERNAME: z.string().min(1).default('dialer'),
  ARI_PASSWORD: z.string().min(1),
  ARI_SIM_TIME_SCALE: z.coerce.number().min(0).default(1),
  ARI_SIM_MODE: z.enum(['rules', 'probability']).default('rules'),
  ARI_SIM_RULES_FILE: z.string().min(1).optional(),
  // JSON object of behaviour weights for probability mode, e.g. {"answer":3,"busy":1}.
  ARI_SIM_PROBABILITIES: z.string().min(1).optional(),
  ARI_SIM_SEED: z.coerce.number().int().optional(),
  // JSON array of hour profiles, e.g. [{"match":"^7916","zone":"Europe/Moscow","hours":{"18-21":0.8},"otherwise":0.1}].
  ARI_SIM_HOUR_PROFILES: z.string().min(1).optional(),
});

const hourProfilesSchema = z.array(z.object({
  match: z.string().min(1),
  zone: z.string().min(1),
  hours: z.record(z.string(), z.number().min(0).max(1)),
  otherwise: z.number().min(0).max(1),
  unanswered: z.enum(['no_answer', 'busy', 'machine']).optional(),
}).strict());

function fail(message: string): never {
  log.fatal(message);
  process.exit(1);
}

/** A JSON setting as `schema` reads it; a bad one ends the process, naming `label` and each problem. */
function readJsonSetting<T>(
  label: string, read: () => string, schema: z.ZodType<T, z.ZodTypeDef, unknown>,
  describe = (i: z.ZodIssue): string => `${i.path.join('.')}: ${i.message}`,
): T {
  let raw: unknown;
  try {
    raw = JSON.parse(read());
  } catch (err) {
    fail(`${label}: ${(err as Error).message}`);
  }
  const parsed = schema.safeParse(raw);
  if (!parsed.success) fail(`${label}: ${parsed.error.issues.map(describe).join('; ')}`);
  return parsed.data;
}

const readRules = (file: string): NumberRule[] =>
  readJsonSetting(`ARI_SIM_RULES_FILE ${file}`, () => readFileSync(file, 'utf8'), rulesSchema);

const readProbabilities = (json: string): Partial<Record<Behaviour, number>> =>
  readJsonSetting('ARI_SIM_PROBABILITIES', () => json, z.record(behaviourSchema, z.number().min(0)), (i) => i.message);

const readHourProfiles = (json: string): HourProfile[] =>
  readJsonSetting('ARI_SIM_HOUR_PROFILES', () => json, hourProfilesSchema);

async function main(): Promise<void> {
  const parsed = envSchema.safeParse(process.env);
  if (!parsed.success) {
    fail(`invalid environment: ${parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ')}`);
  }
  const env = parsed.data;
  const sim = await startAriSimulator({
    host: env.ARI_SIM_HOST,
    port: env.ARI_SIM_PORT,
    username: env.ARI_USERNAME,
    password: env.ARI_PASSWORD,
    timeScale: env.ARI_SIM_TIME_SCALE,
    mode: env.ARI_SIM_MODE,
    rules: env.ARI_SIM_RULES_FILE ? readRules(env.ARI_SIM_RULES_FILE) : undefined,
    probabilities: env.ARI_SIM_PROBABILITIES ? readProbabilities(env.ARI_SIM_PROBABILITIES) : undefined,
    seed: env.ARI_SIM_SEED,
    hourProfiles: env.ARI_SIM_HOUR_PROFILES ? readHourProfiles(env.ARI_SIM_HOUR_PROFILES) : undefined,
  });
  // Scripts wait for this exact line.
  console.log(`ARI simulator listening on ${sim.url}`);
  log.info({ mode: env.ARI_SIM_MODE, timeScale: env.ARI_SIM_TIME_SCALE }, 'started');

  let stopping = false;
  const stop = (signal: string): void => {
    if (stopping) return;
    stopping = true;
    log.info({ signal, stats: sim.stats() }, 'stopping');
    const force = setTimeout(() => process.exit(1), 5000);
    force.unref();
    sim.close().then(() => process.exit(0), () => process.exit(1));
  };
  process.on('SIGTERM', () => stop('SIGTERM'));
  process.on('SIGINT', () => stop('SIGINT'));
}

main().catch((err: unknown) => fail(err instanceof Error ? err.message : String(err)));
