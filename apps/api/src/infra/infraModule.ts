import { Global, Inject, Module, type DynamicModule, type OnApplicationShutdown } from '@nestjs/common';
import { Pool } from 'pg';
import { createSpeechAudioStore } from '../../../../adapters/speech/speechProviders';
import { connectClient, type TemporalClientHandle } from '../../../../adapters/temporal/connections';
import type { ApiConfig } from '../apiConfig';
import { API_CONFIG, AUDIO_STORE, PG_POOL, TEMPORAL } from './tokens';

// The real parts the API talks to: one Postgres pool and one Temporal client for the process,
// closed when the app closes, and the speech cache (the worker's folder, SPEECH_CACHE_DIR) that
// uploaded clips are stored in and previews are spoken through.

@Global()
@Module({})
export class InfraModule implements OnApplicationShutdown {
  constructor(
    @Inject(PG_POOL) private readonly pool: Pool,
    @Inject(TEMPORAL) private readonly temporal: TemporalClientHandle,
  ) {}

  static forConfig(config: ApiConfig): DynamicModule {
    return {
      module: InfraModule,
      providers: [
        { provide: API_CONFIG, useValue: config },
        { provide: PG_POOL, useFactory: () => poolFor(config) },
        { provide: TEMPORAL, useFactory: () => connectClient(config) },
        { provide: AUDIO_STORE, useFactory: () => createSpeechAudioStore(config) },
      ],
      exports: [API_CONFIG, PG_POOL, TEMPORAL, AUDIO_STORE],
    };
  }

  async onApplicationShutdown(): Promise<void> {
    await this.temporal.close();
    await this.pool.end();
  }
}

/** The pool; an idle connection the server ends (a restart, a failover) is dropped, not a crash of the process. */
function poolFor(config: ApiConfig): Pool {
  const pool = new Pool({ connectionString: config.DATABASE_URL, max: 10 });
  pool.on('error', (err) => process.stderr.write(`api: an idle database connection failed: ${err.message}\n`));
  return pool;
}
