import { loadConfig } from '../../common/config';
import { createLogger } from '../../common/logger';
import { ensureDialerSchedules } from '../../adapters/temporal/schedules';
import { createDialerWorker } from './dialerWorker';
import { installTemporalRuntime, startWorkerMetrics } from './workerMetrics';

// The worker process: registers the workflows and activities and holds the ARI connection.
async function main(): Promise<void> {
  const log = createLogger('worker');
  const config = loadConfig();
  const { sdkMetrics } = installTemporalRuntime(config);
  const metrics = await startWorkerMetrics(config);
  try {
    const dialer = await createDialerWorker(config);
    // The retention jobs run wherever a worker does (docs/recording.md); made or brought up to date.
    await ensureDialerSchedules(config, config.TEMPORAL_TASK_QUEUE)
      .catch((err: unknown) => log.error({ err: (err as Error).message }, 'the retention schedules could not be made: recordings are not deleted when they expire'));
    for (const sig of ['SIGINT', 'SIGTERM'] as const) {
      process.once(sig, () => {
        log.info({ signal: sig }, 'shutting down: finishing calls in progress');
        void dialer.shutdown();
      });
    }
    log.info({
      taskQueue: config.TEMPORAL_TASK_QUEUE, temporal: config.TEMPORAL_ADDRESS,
      metrics: metrics && `http://${config.WORKER_METRICS_HOST}:${metrics.port}/metrics`,
      sdkMetrics: sdkMetrics && `http://${sdkMetrics}/metrics`,
    }, 'worker started');
    await dialer.run();
  } finally {
    await metrics?.close();
  }
  log.info('worker stopped');
}

main().catch((err) => {
  process.stderr.write(`worker failed: ${err instanceof Error ? err.message : String(err)}\n`);
  process.exit(1);
});
