import { randomBytes } from 'node:crypto';
import { Pool } from 'pg';
import { migrate } from '../adapters/postgres/migrations';

export interface TestDatabase {
  url: string;
  pool: Pool;
  drop(): Promise<void>;
}

/** A fresh, migrated database of its own for one test file, on the stack's Postgres server. */
export async function createTestDatabase(): Promise<TestDatabase> {
  const baseUrl = process.env.DATABASE_URL;
  if (!baseUrl) throw new Error('DATABASE_URL is not set: run the tests with `npm test`, which starts Postgres');
  const name = `dialer_test_${randomBytes(4).toString('hex')}`;
  const admin = new Pool({ connectionString: baseUrl, max: 1 });
  await admin.query(`CREATE DATABASE ${name}`);
  const url = new URL(baseUrl);
  url.pathname = `/${name}`;
  migrate(url.toString());
  const pool = new Pool({ connectionString: url.toString(), max: 20 });
  // DROP ... WITH (FORCE) ends idle connections; an idle client's error must not crash jest.
  pool.on('error', () => undefined);
  return {
    url: url.toString(),
    pool,
    async drop() {
      await pool.end();
      // An autovacuum worker may be in the database, and ending it needs pg_signal_backend,
      // which the test role may not have: try a few times, then leave the (empty of
      // connections) database behind rather than fail a test over its cleanup.
      for (let attempt = 1; ; attempt++) {
        try {
          await admin.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
          break;
        } catch (err) {
          if (attempt >= 5) {
            process.stderr.write(`could not drop test database ${name}: ${(err as Error).message}\n`);
            break;
          }
          await new Promise((r) => setTimeout(r, 500));
        }
      }
      await admin.end();
    },
  };
}
