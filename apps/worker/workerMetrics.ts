import { Runtime } from '@temporalio/worker';
import { startMetricsServer, type MetricsServer } from '../../adapters/metrics/metricsServer';
import type { Config } from '../../common/config';

// The worker process's two Prometheus endpoints: the dialer's own (adapters/metrics) and the
// Temporal SDK core's, which the core serves itself on a port of its own. Only main.ts calls
// these: the runtime can be installed once per process (tests install a quiet one), and a fixed
// port would clash between test files.

/** host:port for the SDK core's exporter (an IPv6 literal in brackets). */
function bindAddress(host: string, port: number): string {
  return host.includes(':') ? `[${host}]:${port}` : `${host}:${port}`;
}

/**
 * Installs the Temporal runtime with its Prometheus exporter (temporal_* metrics: task slots,
 * poll latencies, workflow and activity completions; durations in seconds, counters _total).
 * Must come before any connection or worker is created. WORKER_SDK_METRICS_PORT=0: the default
 * runtime, no exporter.
 */
export function installTemporalRuntime(config: Config): { sdkMetrics: string | null } {
  if (config.WORKER_SDK_METRICS_PORT === 0) return { sdkMetrics: null };
  const address = bindAddress(config.WORKER_METRICS_HOST, config.WORKER_SDK_METRICS_PORT);
  Runtime.install({
    telemetryOptions: {
      metrics: { prometheus: { bindAddress: address, countersTotalSuffix: true, useSecondsForDurations: true } },
    },
  });
  return { sdkMetrics: address };
}

/** The dialer's GET /metrics; null when WORKER_METRICS_PORT=0. */
export async function startWorkerMetrics(config: Config): Promise<MetricsServer | null> {
  if (config.WORKER_METRICS_PORT === 0) return null;
  return startMetricsServer({ host: config.WORKER_METRICS_HOST, port: config.WORKER_METRICS_PORT });
}
