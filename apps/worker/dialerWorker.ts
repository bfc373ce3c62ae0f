import { Client, Connection } from '@temporalio/client';
import { NativeConnection, Worker, type WorkerOptions } from '@temporalio/worker';
import { Pool } from 'pg';
import { createActivities } from '../../activities';
import { AriClient } from '../../activities/telephony/ariClient';
import { AriTelephony } from '../../activities/telephony/ariTelephony';
import type { Config } from '../../common/config';

// Builds the worker from its real parts. The worker process (main.ts), the demo, the tests
// and the bench all go through here, so what they run is what production runs.

export interface DialerWorker {
  worker: Worker;
  /** Stops polling, waits for running activities, then closes ARI, Postgres and Temporal. */
  shutdown(): Promise<void>;
  run(): Promise<void>;
}

export async function createDialerWorker(
  config: Config,
  overrides: Partial<Pick<WorkerOptions, 'workflowBundle' | 'maxConcurrentActivityTaskExecutions' | 'maxConcurrentLocalActivityExecutions' | 'maxConcurrentWorkflowTaskExecutions'>> & { dtmfWaitMs?: number } = {},
): Promise<DialerWorker> {
  const pool = new Pool({ connectionString: config.DATABASE_URL, max: 20 });
  const ari = await AriClient.connect({
    url: config.ASTERISK_ARI_URL,
    username: config.ARI_USERNAME,
    password: config.ARI_PASSWORD,
    app: config.ARI_APP,
    requestTimeoutMs: config.ARI_REQUEST_TIMEOUT_MS,
  });
  const telephony = new AriTelephony(ari, {
    endpointTemplate: config.ARI_ENDPOINT_TEMPLATE,
    dtmfWaitMs: overrides.dtmfWaitMs ?? config.CALL_DTMF_WAIT_MS,
    maxMessageMs: 5 * 60_000,
  });
  const clientConnection = await Connection.connect({ address: config.TEMPORAL_ADDRESS });
  const temporal = new Client({ connection: clientConnection, namespace: config.TEMPORAL_NAMESPACE });
  const connection = await NativeConnection.connect({ address: config.TEMPORAL_ADDRESS });

  const { workflowBundle, dtmfWaitMs: _unused, ...limits } = overrides;
  const worker = await Worker.create({
    connection,
    namespace: config.TEMPORAL_NAMESPACE,
    taskQueue: config.TEMPORAL_TASK_QUEUE,
    ...(workflowBundle ? { workflowBundle } : { workflowsPath: require.resolve('../../workflows') }),
    activities: createActivities({ pool, telephony, temporal, taskQueue: config.TEMPORAL_TASK_QUEUE }),
    maxConcurrentActivityTaskExecutions: config.WORKER_MAX_CONCURRENT_CALLS,
    maxConcurrentLocalActivityExecutions: 100,
    ...limits,
  });

  let closed = false;
  const closeDeps = async (): Promise<void> => {
    if (closed) return;
    closed = true;
    await telephony.close();
    await pool.end();
    await clientConnection.close();
    await connection.close();
  };
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
