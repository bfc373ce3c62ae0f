import type { Client } from '@temporalio/client';
import { connectClient } from '../adapters/temporal/connections';
import type { AriSimulator, SimulatorOptions } from '../apps/ari-simulator/simulator';
import { createDialerWorker, type DialerWorker } from '../apps/worker/dialerWorker';
import type { Config } from '../common/config';
import type { TestDatabase } from './testDatabase';
import { startWorldParts } from './worldParts';

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

/** With `asterisk: true` the calls go to the real Asterisk (see startWorldParts). */
export async function startWorld(
  sim: Partial<SimulatorOptions> = {}, opts: { asterisk?: boolean; env?: Record<string, string> } = {},
): Promise<StackWorld> {
  const parts = await startWorldParts(sim, { ...opts, queuePrefix: 'test' });
  const { db, sim: simulator, config } = parts;
  const dialer = await createDialerWorker(config, { dtmfWaitMs: 200 });
  const running = dialer.run();
  const temporal = await connectClient(config);
  return {
    db, sim: simulator, config, client: temporal.client, dialer, running,
    async close() {
      await dialer.shutdown();
      await running;
      await temporal.close();
      await parts.close();
    },
  };
}
