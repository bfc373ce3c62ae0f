// The codec server as its own process: `npm run codec-server`. It holds the payload keys and
// answers the Temporal UI and CLI for the API's admins (codecServer.ts); run it where only
// admins reach it. Settings from the environment (besides DATABASE_URL, DIALER_PAYLOAD_KEYS,
// TEMPORAL_NAMESPACE, LOG_LEVEL):
//   CODEC_SERVER_HOST (127.0.0.1), CODEC_SERVER_PORT (8234; 0 picks a free port),
//   CODEC_SERVER_CORS_ORIGINS: the Temporal UI's origins, comma-separated (default the dev
//   server's UI, http://127.0.0.1:8233 and http://localhost:8233),
//   CODEC_SERVER_CROSS_SITE_COOKIE: true when the UI is on another site (HTTPS in front then).
// Prints `CODEC_SERVER_URL=http://host:port` once it listens.
import { Pool } from 'pg';
import { z } from 'zod';
import { AesGcmPayloadCodec } from '../../adapters/temporal/payloadCodec';
import { databaseEnv, logEnv, readEnv, temporalEnv } from '../../common/config';
import { createLogger } from '../../common/logger';
import { startCodecServer } from './codecServer';

const log = createLogger('codec-server');

const codecServerEnv = databaseEnv.merge(logEnv).merge(temporalEnv.pick({ TEMPORAL_NAMESPACE: true, DIALER_PAYLOAD_KEYS: true })).extend({
  CODEC_SERVER_HOST: z.string().min(1).default('127.0.0.1'),
  CODEC_SERVER_PORT: z.coerce.number().int().min(0).max(65535).default(8234),
  CODEC_SERVER_CORS_ORIGINS: z.string().default('http://127.0.0.1:8233,http://localhost:8233')
    .transform((s) => s.split(',').map((o) => o.trim()).filter(Boolean))
    .pipe(z.array(z.string().url().refine((o) => new URL(o).origin === o, 'an origin: scheme://host[:port], no path'))),
  CODEC_SERVER_CROSS_SITE_COOKIE: z.enum(['true', 'false']).default('false').transform((v) => v === 'true'),
});

async function main(): Promise<void> {
  const env = readEnv(codecServerEnv);
  const pool = new Pool({ connectionString: env.DATABASE_URL, max: 4 });
  pool.on('error', (err) => log.warn({ code: (err as { code?: string }).code }, 'an idle database connection failed'));
  const server = await startCodecServer({
    codec: new AesGcmPayloadCodec(env.DIALER_PAYLOAD_KEYS), pool, namespace: env.TEMPORAL_NAMESPACE,
    origins: env.CODEC_SERVER_CORS_ORIGINS, host: env.CODEC_SERVER_HOST, port: env.CODEC_SERVER_PORT,
    crossSiteCookie: env.CODEC_SERVER_CROSS_SITE_COOKIE,
  });
  console.log(`CODEC_SERVER_URL=${server.url}`);
  // Key ids only: which keys it can open, never their bytes.
  log.info({ url: server.url, namespace: env.TEMPORAL_NAMESPACE, keyIds: env.DIALER_PAYLOAD_KEYS.map((k) => k.id), origins: env.CODEC_SERVER_CORS_ORIGINS }, 'listening');
  let stopping = false;
  const stop = (): void => {
    if (stopping) return;
    stopping = true;
    server.close().then(() => pool.end()).then(() => process.exit(0), () => process.exit(1));
  };
  process.on('SIGTERM', stop);
  process.on('SIGINT', stop);
}

main().catch((err: unknown) => {
  process.stderr.write(`codec-server failed: ${err instanceof Error ? err.message : String(err)}\n`);
  process.exit(1);
});
