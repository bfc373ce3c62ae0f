import type { Queryable } from './transaction';
import { setContactWait } from './waits';

// A call the trunk did not carry (adapters/ari/telephony.ts, TrunkDownError) is not an attempt:
// its cap slot is given back and the contact waits for the trunk, where "why is nothing
// dialing?" shows it.

/** The cap slot the gate reserved for a call that was never placed: released, as if never taken. */
export async function releaseUnplacedCall(db: Queryable, channelId: string): Promise<void> {
  await db.query(`UPDATE call_reservation SET state = 'released' WHERE channel_id = $1 AND state = 'reserved'`, [channelId]);
}

/** The contact waits for the trunk until `untilMs` (then it asks again). */
export async function noteTrunkDownWait(
  db: Queryable, w: { contactId: number; campaignId: string; trunk: string; reason: string; atMs: number; untilMs: number },
): Promise<void> {
  await setContactWait(db, {
    reason: 'trunk_down', detail: `${w.trunk}: ${w.reason}`, until: new Date(w.untilMs).toISOString(),
    contactId: w.contactId, campaignId: w.campaignId, atMs: w.atMs,
  });
}
