import { Client, Connection } from '@temporalio/client';
import { NativeConnection } from '@temporalio/worker';
import type { z } from 'zod';
import type { temporalEnv } from '../../common/config';

// The one place that turns the Temporal settings into connections: the worker, the demo, the
// API, the tests and the bench all connect the same way, and each closes what it opened.

type TemporalSettings = Pick<z.infer<typeof temporalEnv>, 'TEMPORAL_ADDRESS' | 'TEMPORAL_NAMESPACE'>;

export interface TemporalClientHandle {
  client: Client;
  close(): Promise<void>;
}

/** A client for starting, signalling and querying workflows. */
export async function connectClient(settings: TemporalSettings): Promise<TemporalClientHandle> {
  const connection = await Connection.connect({ address: settings.TEMPORAL_ADDRESS });
  return {
    client: new Client({ connection, namespace: settings.TEMPORAL_NAMESPACE }),
    close: () => connection.close(),
  };
}

/** The connection a worker polls its task queue through. */
export function connectWorker(settings: Pick<TemporalSettings, 'TEMPORAL_ADDRESS'>): Promise<NativeConnection> {
  return NativeConnection.connect({ address: settings.TEMPORAL_ADDRESS });
}
