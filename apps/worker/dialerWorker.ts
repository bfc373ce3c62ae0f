import type { Client } from '@temporalio/client';
import { Worker, type NativeConnection, type WorkerOptions } from '@temporalio/worker';
import { connectClient, connectWorker, dataConverter } from '../../adapters/temporal/connections';
import { randomBytes } from 'node:crypto';
import { Pool } from 'pg';
import { createActivities } from '../../activities';
import { AriClient } from '../../adapters/ari/ariClient';
import { AriTelephony } from '../../adapters/ari/ariTelephony';
import { RecordingTelephony } from '../../adapters/ari/callRecording';
import type { Telephony } from '../../adapters/ari/telephony';
import { createSpeechAudioStore } from '../../adapters/speech/speechProviders';
import type { Config } from '../../common/config';
import { createLogger } from '../../common/logger';
import { WORKFLOW_PRELOAD_MODULES } from './workflowPreload';

// Builds the worker from its real parts. The worker process (main.ts), the demo, the tests
// and the bench all go through here, so what they run is what production runs.

const poolLog = createLogger('worker');

export interface DialerWorker {
  worker: Worker;
  /** Stops polling, waits for running activities, then closes ARI, Postgres and Temporal. */
  shutdown(): Promise<void>;
  run(): Promise<void>;
}

export async function createDialerWorker(
  config: Config,
  overrides: Partial<Pick<WorkerOptions, 'workflowBundle' | 'maxConcurrentActivityTaskExecutions' | 'maxConcurrentLocalActivityExecutions' | 'maxConcurrentWorkflowTaskExecutions' | 'shutdownForceTime'>> & {
    dtmfWaitMs?: number;
    /** Time-skipping tests pass the test server's connection and clock. */
    connection?: NativeConnection;
    client?: Client;
    clock?: () => Promise<number>;
    /** Tests of a worker's death replace the telephony; the ARI connection is still made. */
    telephony?: Telephony;
  } = {},
): Promise<DialerWorker> {
  // Everything opened so far is closed again if a later part fails to start (a wrong Temporal
  // address, a bad bundle), so a failed start leaks no pool, socket or connection.
  const opened: (() => Promise<void>)[] = [];
  const closeOpened = async (): Promise<void> => {
    for (const close of opened.splice(0).reverse()) await close().catch(() => undefined);
  };
  try {
    const pool = new Pool({ connectionString: config.DATABASE_URL, max: 20 });
    // An idle connection the server ends (a restart, a failover, a dropped database) is taken
    // out of the pool and replaced at the next query; unheard, the error would end the process.
    pool.on('error', (err) => poolLog.warn({ code: (err as { code?: string }).code }, 'an idle database connection failed'));
    opened.push(() => pool.end());
    // Asterisk gives an application's events to its newest WebSocket only, so each worker
    // process registers an application of its own and originates into it: the events of a call
    // come back to the worker that placed it.
    const ari = await AriClient.connect({
      url: config.ASTERISK_ARI_URL,
      username: config.ARI_USERNAME,
      password: config.ARI_PASSWORD,
      app: `${config.ARI_APP}-${randomBytes(4).toString('hex')}`,
      requestTimeoutMs: config.ARI_REQUEST_TIMEOUT_MS,
    });
    opened.push(() => ari.close());
    // Calls of campaigns that record are recorded by Asterisk (adapters/ari/callRecording.ts).
    const telephony = overrides.telephony ?? new RecordingTelephony(ari, new AriTelephony(ari, {
      endpointTemplate: config.ARI_ENDPOINT_TEMPLATE,
      dtmfWaitMs: overrides.dtmfWaitMs ?? config.CALL_DTMF_WAIT_MS,
      maxMessageMs: 5 * 60_000,
      language: config.ARI_PROMPT_LANGUAGE,
    }));
    opened.push(() => telephony.close());
    let temporal = overrides.client;
    if (!temporal) {
      const handle = await connectClient(config);
      opened.push(handle.close);
      temporal = handle.client;
    }
    let connection = overrides.connection;
    if (!connection) {
      const ownConnection = await connectWorker(config);
      opened.push(() => ownConnection.close());
      connection = ownConnection;
    }

    // The speech cache and its providers (SpeechKit v1/v3, the offline voice), from SPEECH_*.
    const audio = createSpeechAudioStore(config);
    const { workflowBundle, dtmfWaitMs: _dtmf, connection: _connection, client: _client, telephony: _telephony, clock = async () => Date.now(), ...limits } = overrides;
    const worker = await Worker.create({
      connection,
      namespace: config.TEMPORAL_NAMESPACE,
      taskQueue: config.TEMPORAL_TASK_QUEUE,
      dataConverter: dataConverter(config),
      ...(workflowBundle ? { workflowBundle }
        : config.WORKFLOW_BUNDLE_PATH ? { workflowBundle: { codePath: config.WORKFLOW_BUNDLE_PATH } }
        : { workflowsPath: require.resolve('../../workflows'), bundlerOptions: { preloadModules: WORKFLOW_PRELOAD_MODULES } }),
      activities: createActivities({ pool, telephony, temporal, taskQueue: config.TEMPORAL_TASK_QUEUE, clock, holder: ari.app, audio, recordings: ari }),
      maxConcurrentActivityTaskExecutions: config.WORKER_MAX_CONCURRENT_CALLS,
      maxConcurrentLocalActivityExecutions: 100,
      ...limits,
    });
    return running(worker, closeOpened);
  } catch (err) {
    await closeOpened();
    throw err;
  }
}

function running(worker: Worker, closeDeps: () => Promise<void>): DialerWorker {
  return {
    worker,
    async run() {
      try {
        await worker.run();
      } finally {
        await closeDeps();
      }
    },
    async shutdown() {
      if (worker.getState() === 'RUNNING') worker.shutdown();
    },
  };
}
