import type { Pool, PoolClient } from 'pg';

/** Either a pool or one checked-out client: functions that only query take both. */
export type Queryable = Pool | PoolClient;

/**
 * Runs `work` in one transaction on a client of its own: committed when it returns, rolled
 * back when it throws (the error is rethrown), and the client is always given back.
 */
export async function inTransaction<T>(pool: Pool, work: (client: PoolClient) => Promise<T>): Promise<T> {
  const client = await pool.connect();
  try {
    await client.query('BEGIN');
    const result = await work(client);
    await client.query('COMMIT');
    return result;
  } catch (err) {
    await client.query('ROLLBACK').catch(() => undefined);
    throw err;
  } finally {
    client.release();
  }
}
