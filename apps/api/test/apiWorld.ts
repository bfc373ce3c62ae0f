import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { randomBytes } from 'node:crypto';
import { insertApiKey, type ApiRole } from '../../../adapters/postgres/apiAccess';
import { newSecret } from '../../../common/apiSecrets';
import { createTestDatabase, type TestDatabase } from '../../../test/testDatabase';
import { loadApiConfig } from '../src/apiConfig';
import { createApiApp } from '../src/createApiApp';

// The API listening on a free port, on a database of its own, with one key per role: tests
// speak to it as the ERP would, with plain HTTP.

export interface ApiWorld {
  db: TestDatabase;
  app: NestFastifyApplication;
  url: string;
  keys: Record<ApiRole, string>;
  close(): Promise<void>;
}

export interface GraphQLAnswer<T = Record<string, any>> {
  data: T | null;
  errors?: { message: string; path?: string[]; extensions?: { code?: string; issues?: { path: string; message: string }[] } }[];
}

/**
 * With `db` and `taskQueue` the API shares a database and a task queue with a worker the
 * caller started (and the caller drops that database).
 */
export async function startApiWorld(shared: { db?: TestDatabase; taskQueue?: string } = {}): Promise<ApiWorld> {
  const db = shared.db ?? await createTestDatabase();
  const config = loadApiConfig({
    ...process.env, DATABASE_URL: db.url, API_PORT: '0', LOG_LEVEL: 'silent',
    TEMPORAL_TASK_QUEUE: shared.taskQueue ?? `api-test-${randomBytes(4).toString('hex')}`,
  });
  const app = await createApiApp(config);
  await app.listen({ host: '127.0.0.1', port: 0 });
  const address = app.getHttpServer().address() as { port: number };
  const keys = {} as Record<ApiRole, string>;
  for (const role of ['admin', 'supervisor', 'viewer', 'erp'] as ApiRole[]) {
    const key = newSecret('key');
    await insertApiKey(db.pool, { name: `test-${role}`, role, prefix: key.prefix, sha256: key.sha256, createdBy: 'test' });
    keys[role] = key.secret;
  }
  return {
    db, app, url: `http://127.0.0.1:${address.port}/graphql`, keys,
    async close() {
      await app.close();
      if (!shared.db) await db.drop();
    },
  };
}

/** One GraphQL request over HTTP, as any client sends it. */
export async function graphql<T = Record<string, any>>(
  url: string, query: string, variables: Record<string, unknown> = {}, bearer?: string,
): Promise<GraphQLAnswer<T>> {
  const res = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...(bearer ? { authorization: `Bearer ${bearer}` } : {}) },
    body: JSON.stringify({ query, variables }),
  });
  return (await res.json()) as GraphQLAnswer<T>;
}
