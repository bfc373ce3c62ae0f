import { DefaultLogger, Runtime } from '@temporalio/worker';
import { randomBytes } from 'node:crypto';
import { startAriSimulator, type AriSimulator, type SimulatorOptions } from '../apps/ari-simulator/simulator';
import { loadConfig, type Config } from '../common/config';
import { createTestDatabase, type TestDatabase } from './testDatabase';

// What every test world starts with: a database of its own, an ARI simulator, and the
// worker's configuration pointing at them (or at the real Asterisk of scripts/asterisk.sh).

let runtimeInstalled = false;

/** The SDK's per-state INFO lines would bury the test report; the runtime is installed once. */
function quietTemporalRuntime(): void {
  if (runtimeInstalled) return;
  Runtime.install({ logger: new DefaultLogger('ERROR') });
  runtimeInstalled = true;
}

export interface WorldParts {
  db: TestDatabase;
  sim: AriSimulator;
  config: Config;
}

/**
 * With `asterisk: true` the calls go to the real Asterisk (ASTERISK_ARI_URL, ARI_USERNAME,
 * ARI_PASSWORD from the environment) into its sandbox's simulated carrier; the simulator is
 * then still started but receives no calls.
 */
export async function startWorldParts(
  sim: Partial<SimulatorOptions>, opts: { asterisk?: boolean; queuePrefix: string },
): Promise<WorldParts> {
  quietTemporalRuntime();
  const db = await createTestDatabase();
  const password = randomBytes(8).toString('hex');
  const simulator = await startAriSimulator({ username: 'dialer', password, timeScale: 0.01, ...sim });
  const config = loadConfig({
    ...process.env,
    DATABASE_URL: db.url,
    ...(opts.asterisk
      ? { ARI_ENDPOINT_TEMPLATE: 'Local/{number}@sim-carrier/n' }
      : { ASTERISK_ARI_URL: simulator.url, ARI_USERNAME: 'dialer', ARI_PASSWORD: password }),
    TEMPORAL_TASK_QUEUE: `${opts.queuePrefix}-${randomBytes(4).toString('hex')}`,
    LOG_LEVEL: 'warn',
  });
  return { db, sim: simulator, config };
}
