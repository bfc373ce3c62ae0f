import { Client, Connection } from '@temporalio/client';
import { DefaultLogger, Runtime } from '@temporalio/worker';
import { randomBytes } from 'node:crypto';
import { startAriSimulator, type AriSimulator, type SimulatorOptions } from '../apps/ari-simulator/simulator';
import { createDialerWorker, type DialerWorker } from '../apps/worker/dialerWorker';
import { loadConfig, type Config } from '../common/config';
import { createTestDatabase, type TestDatabase } from './testDatabase';

// One test file's world: its own database, its own ARI simulator, its own task queue, and a
// real worker on the stack's Temporal server.

export interface StackWorld {
  db: TestDatabase;
  sim: AriSimulator;
  config: Config;
  client: Client;
  dialer: DialerWorker;
  running: Promise<void>;
  close(): Promise<void>;
}

let runtimeInstalled = false;

/**
 * With `asterisk: true` the calls go to the real Asterisk that scripts/asterisk.sh started
 * (ASTERISK_ARI_URL, ARI_USERNAME, ARI_PASSWORD from the environment), into its sandbox's
 * simulated carrier; `sim` is then still started but receives no calls.
 */
export async function startWorld(sim: Partial<SimulatorOptions> = {}, opts: { asterisk?: boolean } = {}): Promise<StackWorld> {
  if (!runtimeInstalled) {
    // The SDK's per-state INFO lines would bury the test report.
    Runtime.install({ logger: new DefaultLogger('WARN') });
    runtimeInstalled = true;
  }
  const db = await createTestDatabase();
  const password = randomBytes(8).toString('hex');
  const simulator = await startAriSimulator({ username: 'dialer', password, timeScale: 0.01, ...sim });
  const config = loadConfig({
    ...process.env,
    DATABASE_URL: db.url,
    ...(opts.asterisk
      ? { ARI_ENDPOINT_TEMPLATE: 'Local/{number}@sim-carrier/n' }
      : { ASTERISK_ARI_URL: simulator.url, ARI_USERNAME: 'dialer', ARI_PASSWORD: password }),
    TEMPORAL_TASK_QUEUE: `test-${randomBytes(4).toString('hex')}`,
    LOG_LEVEL: 'warn',
  });
  const dialer = await createDialerWorker(config, { dtmfWaitMs: 200 });
  const running = dialer.run();
  const connection = await Connection.connect({ address: config.TEMPORAL_ADDRESS });
  const client = new Client({ connection, namespace: config.TEMPORAL_NAMESPACE });
  return {
    db, sim: simulator, config, client, dialer, running,
    async close() {
      await dialer.shutdown();
      await running;
      await connection.close();
      await simulator.close();
      await db.drop();
    },
  };
}
