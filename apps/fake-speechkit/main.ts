// Runs the fake SpeechKit as its own process: `npm run fake-speechkit` (fakeSpeechKit.ts says
// what it answers). Settings from the environment:
//   FAKE_SPEECHKIT_HOST (127.0.0.1), FAKE_SPEECHKIT_PORT (8091; 0 picks a free port),
//   FAKE_SPEECHKIT_API_KEY (required: the key `Api-Key …` must carry; give the worker the same
//   one as SPEECHKIT_API_KEY), FAKE_SPEECHKIT_IAM_TOKEN (optional), FAKE_SPEECHKIT_FOLDER_ID.
// Prints `FAKE_SPEECHKIT_URL=http://host:port` once it listens (scripts wait for that line);
// point the worker's SPEECHKIT_URL at it.
import { z } from 'zod';
import { createLogger } from '../../common/logger';
import { readEnv } from '../../common/config';
import { startFakeSpeechKit } from './fakeSpeechKit';

const log = createLogger('fake-speechkit');

const envSchema = z.object({
  FAKE_SPEECHKIT_HOST: z.string().min(1).default('127.0.0.1'),
  FAKE_SPEECHKIT_PORT: z.coerce.number().int().min(0).max(65535).default(8091),
  FAKE_SPEECHKIT_API_KEY: z.string().min(8, 'at least 8 characters'),
  FAKE_SPEECHKIT_IAM_TOKEN: z.string().min(8).optional(),
  FAKE_SPEECHKIT_FOLDER_ID: z.string().min(1).max(50).default('fake-folder'),
});

async function main(): Promise<void> {
  const env = readEnv(envSchema);
  const fake = await startFakeSpeechKit({
    host: env.FAKE_SPEECHKIT_HOST,
    port: env.FAKE_SPEECHKIT_PORT,
    apiKey: env.FAKE_SPEECHKIT_API_KEY,
    iamToken: env.FAKE_SPEECHKIT_IAM_TOKEN,
    folderId: env.FAKE_SPEECHKIT_FOLDER_ID,
  });
  console.log(`FAKE_SPEECHKIT_URL=${fake.url}`);
  log.info({ url: fake.url }, 'listening');
  let stopping = false;
  const stop = (signal: string): void => {
    if (stopping) return;
    stopping = true;
    // Counts only: a text is never logged, not even by hash.
    const { total, rejected, byPath, byStatus, distinctTexts, characters } = fake.stats();
    log.info({ signal, total, rejected, byPath, byStatus, distinctTexts, characters }, 'stopping');
    fake.close().then(() => process.exit(0), () => process.exit(1));
  };
  process.on('SIGTERM', () => stop('SIGTERM'));
  process.on('SIGINT', () => stop('SIGINT'));
}

main().catch((err: unknown) => {
  log.fatal(err instanceof Error ? err.message : String(err));
  process.exit(1);
});
