import { Client, Connection } from '@temporalio/client';
import type { DataConverter } from '@temporalio/common';
import { NativeConnection } from '@temporalio/worker';
import type { z } from 'zod';
import type { temporalEnv } from '../../common/config';
import { AesGcmPayloadCodec } from './payloadCodec';

// The one place that turns the Temporal settings into connections: the worker, the demo, the
// API, the tests and the bench all connect the same way, and each closes what it opened. Every
// client made here and every worker given `dataConverter` encrypts its payloads with the keys
// of DIALER_PAYLOAD_KEYS, so the histories hold no personal data in clear.

type TemporalSettings = Pick<z.infer<typeof temporalEnv>, 'TEMPORAL_ADDRESS' | 'TEMPORAL_NAMESPACE' | 'DIALER_PAYLOAD_KEYS'>;

export interface TemporalClientHandle {
  client: Client;
  close(): Promise<void>;
}

/**
 * What a client and a worker encode payloads with: the AES-GCM codec over the default converter,
 * and failures whose message and stack trace go through it too. (Any client reads such failures:
 * the default failure converter decodes encoded attributes whatever its own setting.)
 */
export function dataConverter(settings: Pick<TemporalSettings, 'DIALER_PAYLOAD_KEYS'>): DataConverter {
  return { payloadCodecs: [new AesGcmPayloadCodec(settings.DIALER_PAYLOAD_KEYS)], failureConverterPath: encodingFailureConverterPath() };
}

/**
 * The module a workflow bundle built ahead of time takes as its `failureConverterPath`. Resolved
 * when asked: the compiled API (which never asks) does not contain it.
 */
export const encodingFailureConverterPath = (): string => require.resolve('./failureConverter');

/** A client for starting, signalling and querying workflows. */
export async function connectClient(settings: TemporalSettings): Promise<TemporalClientHandle> {
  // The codec only: the compiled API has no failureConverter.ts to load by path, and a client
  // seldom reports a failure (it reads them, which any converter does).
  const converter: DataConverter = { payloadCodecs: [new AesGcmPayloadCodec(settings.DIALER_PAYLOAD_KEYS)] };
  const connection = await Connection.connect({ address: settings.TEMPORAL_ADDRESS });
  return {
    client: new Client({ connection, namespace: settings.TEMPORAL_NAMESPACE, dataConverter: converter }),
    close: () => connection.close(),
  };
}

/** The connection a worker polls its task queue through (its payloads: `dataConverter`). */
export function connectWorker(settings: Pick<TemporalSettings, 'TEMPORAL_ADDRESS'>): Promise<NativeConnection> {
  return NativeConnection.connect({ address: settings.TEMPORAL_ADDRESS });
}
