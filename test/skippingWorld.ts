import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { DefaultLogger, Runtime } from '@temporalio/worker';
import { randomBytes } from 'node:crypto';
import { startAriSimulator, type AriSimulator, type SimulatorOptions } from '../apps/ari-simulator/simulator';
import { createDialerWorker, type DialerWorker } from '../apps/worker/dialerWorker';
import { loadConfig, type Config } from '../common/config';
import { createTestDatabase, type TestDatabase } from './testDatabase';
import { createTimeSkippingEnv } from './timeSkipping';

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

let runtimeInstalled = false;

export async function startSkippingWorld(sim: Partial<SimulatorOptions> = {}): Promise<SkippingWorld> {
  if (!runtimeInstalled) {
    Runtime.install({ logger: new DefaultLogger('ERROR') });
    runtimeInstalled = true;
  }
  const env = await createTimeSkippingEnv();
  const db = await createTestDatabase();
  const password = randomBytes(8).toString('hex');
  const simulator = await startAriSimulator({ username: 'dialer', password, timeScale: 0.01, ...sim });
  const config = loadConfig({
    ...process.env,
    DATABASE_URL: db.url,
    ASTERISK_ARI_URL: simulator.url,
    ARI_USERNAME: 'dialer',
    ARI_PASSWORD: password,
    TEMPORAL_TASK_QUEUE: `skip-${randomBytes(4).toString('hex')}`,
    LOG_LEVEL: 'warn',
  });
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
      await simulator.close();
      await env.teardown();
      await db.drop();
    },
  };
}
