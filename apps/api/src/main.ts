import { startMetricsServer } from '../../../adapters/metrics/metricsServer';
import { createLogger } from '../../../common/logger';
import { loadApiConfig } from './apiConfig';
import { createApiApp } from './createApiApp';

// The API process: GraphQL on http://API_HOST:API_PORT/graphql (GraphiQL at /graphiql).
async function main(): Promise<void> {
  const config = loadApiConfig();
  const log = createLogger('api', config.LOG_LEVEL);
  const app = await createApiApp(config);
  await app.listen({ host: config.API_HOST, port: config.API_PORT });
  // Not closed at shutdown: it holds no resource and does not keep the process alive.
  const metrics = config.API_METRICS_PORT === 0 ? null
    : await startMetricsServer({ host: config.API_METRICS_HOST, port: config.API_METRICS_PORT });
  log.info({
    url: `http://${config.API_HOST}:${config.API_PORT}/graphql`,
    metrics: metrics && `http://${config.API_METRICS_HOST}:${metrics.port}/metrics`,
  }, 'api listening');
}

main().catch((err: unknown) => {
  process.stderr.write(`api: ${err instanceof Error ? err.stack ?? err.message : String(err)}\n`);
  process.exit(1);
});
