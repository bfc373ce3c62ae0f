import type { Pool, PoolClient } from 'pg';
import type { CampaignState } from '../../domain/outcomes';
import { releaseCapSlot } from './caps';
import type { Queryable } from './transaction';

// "Pause means pause": once a pause (or a stop) has returned, no originate of the campaign
// leaves any worker. The call activity sends its originate inside a transaction that holds
// this campaign's admission lock in shared mode and has read the state `running` under it;
// a state change takes the same lock in exclusive mode before its UPDATE. So the change waits
// for every originate already admitted (each bounded by the ARI client's request timeout), and
// every admission after it reads the new state.
//
// Why an advisory lock and not FOR SHARE on the campaign row: the channel leases lock that row
// FOR NO KEY UPDATE (adapters/postgres/channelLeases.ts), so a row lock held across an HTTP
// request would queue every other call's channel slot of the campaign behind it; and share
// row-lockers join an existing share lock without queueing behind a waiting UPDATE, so a busy
// campaign could hold a pause off indefinitely. Postgres's lock manager queues a shared
// request behind a waiting exclusive one, so a pause waits only for the originates already
// in flight. The lock lives in memory: nothing is written or WAL-logged per call.
//
// The cap slot is reserved (and committed) by the gate's last check before the admission: a
// worker that dies mid-originate leaves a reservation that counts, never a call without one.

const admissionKey = (campaignId: string): string => `campaign-admission:${campaignId}`;

/**
 * Waits for every originate of the campaign in flight and holds new ones off until the
 * transaction of `db` ends. Take it before changing the campaign's state.
 */
export async function holdCampaignAdmissions(db: Queryable, campaignId: string): Promise<void> {
  await db.query('SELECT pg_advisory_xact_lock(hashtextextended($1, 0))', [admissionKey(campaignId)]);
}

export type Admission<T> =
  | { admitted: true; value: T }
  /** The campaign is no longer running: nothing was sent and the cap slot was given back. */
  | { admitted: false; state: CampaignState };

/**
 * Runs `originate` if the campaign is still running, inside a transaction holding the
 * campaign's admission lock in shared mode. When the campaign is not running, the call's cap
 * reservation (made by the gate for `channelId`) is released and nothing is sent.
 */
export async function admitOriginate<T>(
  pool: Pool, q: { campaignId: string; channelId: string }, originate: () => Promise<T>,
): Promise<Admission<T>> {
  const client = await pool.connect();
  let broken: Error | undefined;
  try {
    await client.query('BEGIN');
    await client.query('SELECT pg_advisory_xact_lock_shared(hashtextextended($1, 0))', [admissionKey(q.campaignId)]);
    // A statement of its own after the lock: under READ COMMITTED its snapshot sees the
    // change of any pause the lock waited for.
    const state = await readState(client, q.campaignId);
    if (state !== 'running') {
      await releaseCapSlot(client, q.channelId);
      await client.query('COMMIT');
      return { admitted: false, state };
    }
    const value = await originate();
    // Nothing was written: the commit only lets a waiting pause through. The call exists now,
    // so a failure here is not the caller's; the client is dropped and the lock goes with it.
    await client.query('COMMIT').catch((err: Error) => { broken = err; });
    return { admitted: true, value };
  } catch (err) {
    await client.query('ROLLBACK').catch((e: Error) => { broken = e; });
    throw err;
  } finally {
    client.release(broken);
  }
}

async function readState(client: PoolClient, campaignId: string): Promise<CampaignState> {
  const { rows } = await client.query<{ state: CampaignState }>('SELECT state FROM campaign WHERE id = $1', [campaignId]);
  if (rows.length === 0) throw new Error(`campaign ${campaignId} does not exist`);
  return rows[0].state;
}
