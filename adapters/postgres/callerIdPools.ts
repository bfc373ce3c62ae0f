import type { Pool } from 'pg';
import {
  pickCallerId, type CallerIdNumberInput, type CallerIdPoolPatch, type CallerIdRotation, type NewCallerIdPool,
} from '../../domain/callerIdPool';
import { InputError } from '../../domain/inputError';
import { ruNationalNumber } from './subscriberZones';
import { inTransaction, type Queryable } from './transaction';

// Caller-ID pools (docs/callerId.md): the registered numbers a campaign dials from, the pick of
// one per call, and the admin's writes. The round robin's position is a counter on the pool's
// row, advanced by the pick's own UPDATE: every worker shares it, and the row lock orders
// concurrent picks (each holds it for one statement), so two calls never take the same turn.

export interface CallerIdPoolView {
  name: string;
  rotation: CallerIdRotation;
  inbound: 'queue' | 'message';
  inboundMessage: string;
  /** Calls picked from the pool so far. */
  turns: number;
  numbers: { number: string; regions: string[] }[];
  /** The campaigns that dial from it. */
  campaigns: string[];
}

export interface PickedCallerId {
  pool: string;
  /** Null when the pool holds no number (the call falls back to the trunk's or the campaign's). */
  e164: string | null;
}

/**
 * The caller ID of the campaign's next call to `e164`, from its pool: one statement that reads
 * the campaign's pool, takes its turn, and (by_region) finds the subscriber's region in the
 * numbering plan. Null when the campaign dials from no pool.
 */
export async function pickPoolCallerId(db: Queryable, campaignId: string, e164: string): Promise<PickedCallerId | null> {
  const { rows } = await db.query<{
    name: string; rotation: CallerIdRotation; turn: string; numbers: { e164: string; regions: string[] }[]; region: string | null;
  }>(
    `WITH pool AS (
       UPDATE caller_id_pool p SET turns = p.turns + 1
         FROM campaign c WHERE c.id = $1 AND p.name = c.caller_id_pool
       RETURNING p.name, p.rotation, p.turns - 1 AS turn)
     SELECT pool.name, pool.rotation, pool.turn::text,
            (SELECT coalesce(json_agg(json_build_object('e164', n.e164, 'regions', n.regions) ORDER BY n.e164), '[]'::json)
               FROM caller_id_number n WHERE n.pool = pool.name) AS numbers,
            CASE WHEN pool.rotation = 'by_region' AND $2::bigint IS NOT NULL THEN
              (SELECT r.region FROM (SELECT region, range_to FROM numbering_range WHERE range_from <= $2::bigint
                                      ORDER BY range_from DESC LIMIT 1) r
                WHERE r.range_to >= $2::bigint)
            END AS region
       FROM pool`,
    [campaignId, ruNationalNumber(e164)]);
  if (rows.length === 0) return null;
  const r = rows[0];
  return { pool: r.name, e164: pickCallerId({ rotation: r.rotation, turn: Number(r.turn), numbers: r.numbers }, r.region) };
}

const noPool = (name: string, path = 'name'): InputError => new InputError(`${path}: no caller-ID pool of this name`, [{ path, message: 'no caller-ID pool of this name' }]);

/** Creates a pool with its numbers, all or nothing. */
export async function createCallerIdPool(pool: Pool, p: NewCallerIdPool): Promise<void> {
  await inTransaction(pool, async (db) => {
    const { rowCount } = await db.query(
      `INSERT INTO caller_id_pool (name, rotation, inbound, inbound_message) VALUES ($1, $2, $3, $4)
       ON CONFLICT (name) DO NOTHING`,
      [p.name, p.rotation, p.inbound, p.inboundMessage]);
    if (rowCount === 0) throw new InputError('name: a caller-ID pool of this name exists', [{ path: 'name', message: 'a caller-ID pool of this name exists' }]);
    if (p.numbers.length > 0) await putNumbers(db, p.name, p.numbers, 'numbers');
  });
}

/** Changes a pool's rule or its inbound handling; false when there is no such pool. */
export async function updateCallerIdPool(db: Queryable, name: string, patch: CallerIdPoolPatch): Promise<boolean> {
  const { rowCount } = await db.query(
    `UPDATE caller_id_pool SET rotation = coalesce($2, rotation), inbound = coalesce($3, inbound),
            inbound_message = coalesce($4, inbound_message) WHERE name = $1`,
    [name, patch.rotation ?? null, patch.inbound ?? null, patch.inboundMessage ?? null]);
  return rowCount === 1;
}

/** Adds numbers to a pool (a number already in it takes the regions given); returns how many were new. */
export async function addCallerIdNumbers(pool: Pool, name: string, numbers: readonly CallerIdNumberInput[]): Promise<number> {
  return inTransaction(pool, async (db) => {
    const found = await db.query('SELECT 1 FROM caller_id_pool WHERE name = $1 FOR KEY SHARE', [name]);
    if (found.rowCount === 0) throw noPool(name, 'pool');
    return putNumbers(db, name, numbers, 'numbers');
  });
}

/**
 * Writes the numbers into the pool. A number of another pool is refused, naming its index: a
 * call back to a number must lead to one place.
 */
async function putNumbers(db: Queryable, name: string, numbers: readonly CallerIdNumberInput[], path: string): Promise<number> {
  const e164s = numbers.map((n) => n.number);
  const elsewhere = await db.query<{ e164: string; pool: string }>(
    'SELECT e164, pool FROM caller_id_number WHERE e164 = ANY ($1::text[]) AND pool <> $2', [e164s, name]);
  if (elsewhere.rows.length > 0) {
    const issues = elsewhere.rows.map((r) => ({ path: `${path}.${e164s.indexOf(r.e164)}.number`, message: `already in caller-ID pool ${r.pool}` }));
    throw new InputError(issues.map((i) => `${i.path}: ${i.message}`).join('; '), issues);
  }
  // Regions travel as one JSON array per number (unnest of a 2-D array would flatten them).
  const { rows } = await db.query<{ inserted: boolean }>(
    `INSERT INTO caller_id_number (e164, pool, regions)
     SELECT e, $2, ARRAY(SELECT jsonb_array_elements_text(r)) FROM unnest($1::text[], $3::jsonb[]) AS u(e, r)
     ON CONFLICT (e164) DO UPDATE SET regions = EXCLUDED.regions WHERE caller_id_number.pool = EXCLUDED.pool
     RETURNING (xmax = 0) AS inserted`,
    [e164s, name, numbers.map((n) => JSON.stringify(n.regions))]);
  // Another pool took one of them since the check: the conflict's WHERE skipped it.
  if (rows.length !== numbers.length) throw new InputError(`${path}: a number was just added to another pool; try again`, [{ path, message: 'a number was just added to another pool' }]);
  return rows.filter((r) => r.inserted).length;
}

/** Removes numbers from a pool; returns how many were in it. */
export async function removeCallerIdNumbers(db: Queryable, name: string, e164s: readonly string[]): Promise<number> {
  const { rowCount } = await db.query('DELETE FROM caller_id_number WHERE pool = $1 AND e164 = ANY ($2::text[])', [name, e164s]);
  return rowCount ?? 0;
}

/** Deletes a pool and its numbers; false when there is none. A pool a campaign dials from is refused. */
export async function deleteCallerIdPool(pool: Pool, name: string): Promise<boolean> {
  return inTransaction(pool, async (db) => {
    // Locks the pool against a campaign taking it up meanwhile (the campaign's FK check waits).
    const found = await db.query('SELECT 1 FROM caller_id_pool WHERE name = $1 FOR UPDATE', [name]);
    if (found.rowCount === 0) return false;
    const users = await db.query<{ id: string }>('SELECT id FROM campaign WHERE caller_id_pool = $1 ORDER BY id LIMIT 10', [name]);
    if (users.rows.length > 0) {
      const message = `campaigns dial from it (${users.rows.map((r) => r.id).join(', ')}): set their callerIdPool to another pool or null first`;
      throw new InputError(`name: ${message}`, [{ path: 'name', message }]);
    }
    await db.query('DELETE FROM caller_id_pool WHERE name = $1', [name]);
    return true;
  });
}

interface PoolRow {
  name: string;
  rotation: CallerIdRotation;
  inbound: 'queue' | 'message';
  inbound_message: string;
  turns: string;
  numbers: { number: string; regions: string[] }[];
  campaigns: string[];
}

const POOL_SELECT = `
  SELECT p.name, p.rotation, p.inbound, p.inbound_message, p.turns::text,
         (SELECT coalesce(json_agg(json_build_object('number', n.e164, 'regions', n.regions) ORDER BY n.e164), '[]'::json)
            FROM caller_id_number n WHERE n.pool = p.name) AS numbers,
         ARRAY(SELECT c.id FROM campaign c WHERE c.caller_id_pool = p.name ORDER BY c.id) AS campaigns
    FROM caller_id_pool p`;

const toView = (r: PoolRow): CallerIdPoolView => ({
  name: r.name, rotation: r.rotation, inbound: r.inbound, inboundMessage: r.inbound_message, turns: Number(r.turns),
  numbers: r.numbers, campaigns: r.campaigns,
});

export async function readCallerIdPool(db: Queryable, name: string): Promise<CallerIdPoolView | null> {
  const { rows } = await db.query<PoolRow>(`${POOL_SELECT} WHERE p.name = $1`, [name]);
  return rows[0] ? toView(rows[0]) : null;
}

/** Every pool, by name (an operation holds a handful; each lists its numbers). */
export async function listCallerIdPools(db: Queryable): Promise<CallerIdPoolView[]> {
  const { rows } = await db.query<PoolRow>(`${POOL_SELECT} ORDER BY p.name`);
  return rows.map(toView);
}
