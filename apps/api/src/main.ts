import { createLogger } from '../../../common/logger';
import { loadApiConfig } from './apiConfig';
import { createApiApp } from './createApiApp';

// The API process: GraphQL on http://API_HOST:API_PORT/graphql (GraphiQL at /graphiql).
async function main(): Promise<void> {
  const config = loadApiConfig();
  const log = createLogger('api', config.LOG_LEVEL);
  const app = await createApiApp(config);
  await app.listen({ host: config.API_HOST, port: config.API_PORT });
  log.info({ url: `http://${config.API_HOST}:${config.API_PORT}/graphql` }, 'api listening');
}

main().catch((err: unknown) => {
  process.stderr.write(`api: ${err instanceof Error ? err.stack ?? err.message : String(err)}\n`);
  process.exit(1);
});
