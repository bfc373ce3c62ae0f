import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { dataConverter } from '../adapters/temporal/connections';
import type { AriSimulator, SimulatorOptions } from '../apps/ari-simulator/simulator';
import { createDialerWorker, type DialerWorker } from '../apps/worker/dialerWorker';
import type { Config } from '../common/config';
import type { TestDatabase } from './testDatabase';
import { createTimeSkippingEnv } from './timeSkipping';
import { startWorldParts } from './worldParts';

// A world for tests of days and weeks: Temporal's time-skipping test server, a database of its
// own, the ARI simulator, and real workers whose gate reads the test server's clock (so a
// skipped week is a week for the calling hours and the caps too).

export interface SkippingWorld {
  env: TestWorkflowEnvironment;
  db: TestDatabase;
  sim: AriSimulator;
  config: Config;
  startWorker(overrides?: WorkerOverrides & { taskQueue?: string }): Promise<{ dialer: DialerWorker; running: Promise<void> }>;
  close(): Promise<void>;
}

type WorkerOverrides = NonNullable<Parameters<typeof createDialerWorker>[1]>;

export async function startSkippingWorld(sim: Partial<SimulatorOptions> = {}): Promise<SkippingWorld> {
  // The parts first: they install the quiet SDK runtime, which the test server's client then uses.
  const parts = await startWorldParts(sim, { queuePrefix: 'skip' });
  const { db, sim: simulator, config } = parts;
  // The test's client encodes payloads as the workers do, so it reads their encrypted results.
  const env = await createTimeSkippingEnv({ client: { dataConverter: dataConverter(config) } });
  const workers: { dialer: DialerWorker; running: Promise<void> }[] = [];
  return {
    env, db, sim: simulator, config,
    async startWorker({ taskQueue, ...overrides } = {}) {
      const dialer = await createDialerWorker({ ...config, TEMPORAL_TASK_QUEUE: taskQueue ?? config.TEMPORAL_TASK_QUEUE }, {
        dtmfWaitMs: 100, connection: env.nativeConnection, client: env.client, clock: () => env.currentTimeMs(), ...overrides,
      });
      const w = { dialer, running: dialer.run() };
      workers.push(w);
      return w;
    },
    async close() {
      for (const w of workers) {
        await w.dialer.shutdown();
        await w.running.catch(() => undefined);
      }
      await env.teardown();
      await parts.close();
    },
  };
}
