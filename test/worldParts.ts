import { DefaultLogger, Runtime } from '@temporalio/worker';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { startAriSimulator, type AriSimulator, type SimulatorOptions } from '../apps/ari-simulator/simulator';
import { loadConfig, type Config } from '../common/config';
import { createTestDatabase, type TestDatabase } from './testDatabase';

// What every test world starts with: a database of its own, an ARI simulator, a speech cache
// folder of its own, and the worker's configuration pointing at them (or at the real Asterisk
// of scripts/asterisk.sh). Templates speak in the offline voice unless the test points SpeechKit
// at a fake server (env).

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
  /** Stops the simulator, drops the database and removes the world's speech cache folder. */
  close(): Promise<void>;
}

/**
 * With `asterisk: true` the calls go to the real Asterisk (ASTERISK_ARI_URL, ARI_USERNAME,
 * ARI_PASSWORD from the environment) into its sandbox's simulated carrier; the simulator is
 * then still started but receives no calls.
 */
export async function startWorldParts(
  sim: Partial<SimulatorOptions>,
  opts: { asterisk?: boolean; queuePrefix: string; env?: Record<string, string> },
): Promise<WorldParts> {
  quietTemporalRuntime();
  const db = await createTestDatabase();
  // The real Asterisk reads the speech cache where the sandbox's script puts it (npm test
  // exports its folder and media prefix): leave it be. A simulator's world gets a folder of its own.
  const speechDir = opts.asterisk ? null : mkdtempSync(path.join(tmpdir(), 'dialer-speech-'));
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
    ...(speechDir === null ? {} : { SPEECH_CACHE_DIR: speechDir, SPEECH_MEDIA_PREFIX: speechDir }),
    ...opts.env,
  });
  return {
    db, sim: simulator, config,
    async close() {
      await simulator.close();
      await db.drop();
      if (speechDir !== null) rmSync(speechDir, { recursive: true, force: true });
    },
  };
}
