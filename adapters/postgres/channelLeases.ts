import type { Pool, PoolClient } from 'pg';
import { inTransaction, type Queryable } from './transaction';
import { endChannelWait, noteChannelWait } from './waits';

// Channel limits per campaign and per trunk, global across every worker process and surviving
// their crashes (docs/architecture.md, "Channel limits are global"). A slot is a row of channel_lease:
// taken right before the originate, renewed from the call activity's heartbeat, deleted after
// the hangup.
//
// Why a lease row with an expiry rather than session advisory locks (one lock per slot): a
// worker that dies mid-call does not reliably close its Postgres session: behind a pooler
// (pgbouncer in transaction mode cannot even hold session locks) or a half-open TCP connection
// the session can linger for minutes, and the slot with it, or be handed to another client
// with the lock still on it. The ARI channel can also outlive the worker (Asterisk keeps
// ringing), so "the session ended" never meant "the call ended" anyway. A lease says how long
// its holder vouches for the call; if nobody renews it, the slot comes back when it expires,
// on the database's clock, which every worker shares (workers' clocks drift and are skipped
// in tests). The price: a dead worker's slot stays taken for up to one TTL, which errs on the
// side of the carrier's limit.
//
// Why the limit is never exceeded: an acquirer locks the campaign row and then the trunk row
// (FOR NO KEY UPDATE: acquirers of one campaign or one trunk queue behind each other, but the
// FOR KEY SHARE locks of foreign-key checks, e.g. contact imports into the campaign, do not
// wait), and only after holding both does it sweep and count, in statements of their own:
// under READ COMMITTED each statement takes a new snapshot, so a count that runs after the
// lock was granted sees every lease committed by the acquirer it waited for. (One statement
// that locked and counted would count from a snapshot taken before it waited.) Locks are
// always taken campaign first, then trunk, so two acquirers never wait on each other in
// opposite orders; renew and release touch only their own lease row. A waiter that finds
// every slot held by a live lease in a plain read is refused without the locks at all:
// a refusal cannot overshoot, and it keeps pollers from queueing ahead of a real acquirer.
//
// Before a slot is granted, expired leases are deleted, never merely skipped: the acquirer
// deletes the expired leases of the campaign and the trunk it is about to count, under their
// locks, and counts every row that remains. So a lease row that still exists is counted by everyone, and a holder that
// renews late (a long GC pause, a slow heartbeat) keeps its slot as long as nobody has
// reclaimed it; once an acquirer has deleted it, renew says false and the holder knows its
// slot may be someone else's.
//
// Idempotent on channel_id: the workflow picks the channel id once per call, so a retried
// acquire (Temporal retries the activity, perhaps on another worker) finds its lease and takes
// it over: the holder and expiry become the caller's, the slot is not taken twice, and the
// previous holder's next renew fails (it is fenced off). `reacquired: true` tells the caller
// that a channel with this id may already exist in Asterisk.
//
// Lowering a limit below the channels in use ends no call: new acquires wait until enough of
// them hang up.

export interface ChannelLease {
  id: number;
  campaignId: string;
  /** The trunk the slot counts against, or null when the call goes out on the default endpoint. */
  trunk: string | null;
  channelId: string;
  holder: string;
  acquiredAt: string;
  expiresAt: string;
}

export interface TrunkSettings {
  name: string;
  maxChannels: number;
  /** e.g. 'PJSIP/{number}@carrier' */
  endpointTemplate: string;
  /** The trunk's registered number; null = the campaign's caller id. */
  callerId: string | null;
}

export interface ChannelGranted {
  acquired: true;
  lease: ChannelLease;
  trunk: TrunkSettings | null;
  /** The lease already existed for this channel id (a retried acquire): the call may be up. */
  reacquired: boolean;
}

export type ChannelRefusalReason = 'campaign_channels_full' | 'trunk_channels_full';

export interface ChannelRefused {
  acquired: false;
  reason: ChannelRefusalReason;
  inUse: number;
  limit: number;
}

export type ChannelAcquisition = ChannelGranted | ChannelRefused;

export interface ChannelRequest {
  campaignId: string;
  /** The ARI channel id of the call; the lease is idempotent on it. */
  channelId: string;
  /** Who renews the lease: the worker's identity. */
  holder: string;
  /** How long the lease lives without a renew. */
  ttlMs: number;
  /** Tests only: the moment to use instead of the database's clock. */
  nowMs?: number;
}

export class CampaignNotFoundError extends Error {
  override readonly name = 'CampaignNotFoundError';
}

/** The channel id is leased for another campaign: two calls were given one id. */
export class ChannelIdConflictError extends Error {
  override readonly name = 'ChannelIdConflictError';
}

interface LeaseRow {
  id: string;
  campaign_id: string;
  trunk: string | null;
  channel_id: string;
  holder: string;
  acquired_at: Date;
  expires_at: Date;
}

interface TrunkRow {
  name: string;
  max_channels: number;
  endpoint_template: string;
  caller_id: string | null;
}

const LEASE_COLUMNS = 'id, campaign_id, trunk, channel_id, holder, acquired_at, expires_at';
const TRUNK_COLUMNS = 'name, max_channels, endpoint_template, caller_id';

/**
 * Takes a channel slot for one call if neither the campaign's nor its trunk's limit is reached,
 * in one transaction (see the header for why it cannot overshoot).
 */
export async function acquireChannel(pool: Pool, req: ChannelRequest): Promise<ChannelAcquisition> {
  checkTtl(req.ttlMs);
  if (!req.holder) throw new Error('a channel lease needs a holder');
  // The cheap refusal reads without locks and outside the transaction.
  const full = await refuseWithoutLocking(pool, req);
  if (full) return full;
  return inTransaction(pool, (client) => acquireIn(client, req));
}

/**
 * A read-only look first: while every slot is held by a live lease, a waiter is refused
 * without taking the campaign's lock. Refusing never overshoots a limit, so a snapshot will
 * do; and it matters, because the locking path writes (row locks are WAL-logged) and so waits
 * for a commit flush, and dozens of waiters polling through the lock would queue the one
 * acquirer that could succeed behind them. Whoever sees room goes on to the locked path.
 */
async function refuseWithoutLocking(db: Queryable, req: ChannelRequest): Promise<ChannelRefused | null> {
  const { rows } = await db.query<{
    campaign_limit: number | null; campaign_used: number; trunk_limit: number | null; trunk_used: number; held: boolean;
  }>(
    `WITH now AS (SELECT coalesce($3::timestamptz, clock_timestamp()) AS t)
     SELECT c.max_channels AS campaign_limit, t.max_channels AS trunk_limit,
            CASE WHEN c.max_channels IS NULL THEN 0 ELSE (SELECT count(*)::int FROM channel_lease l, now
                  WHERE l.campaign_id = c.id AND l.expires_at > now.t) END AS campaign_used,
            CASE WHEN t.name IS NULL THEN 0 ELSE (SELECT count(*)::int FROM channel_lease l, now
                  WHERE l.trunk = t.name AND l.expires_at > now.t) END AS trunk_used,
            EXISTS (SELECT FROM channel_lease WHERE channel_id = $2) AS held
       FROM campaign c LEFT JOIN trunk t ON t.name = c.trunk
      WHERE c.id = $1`,
    [req.campaignId, req.channelId, nowParam(req.nowMs)]);
  // An unknown campaign and a retried acquire are left to the locked path.
  if (rows.length === 0 || rows[0].held) return null;
  const r = rows[0];
  if (r.campaign_limit !== null && r.campaign_used >= r.campaign_limit) {
    return { acquired: false, reason: 'campaign_channels_full', inUse: r.campaign_used, limit: r.campaign_limit };
  }
  if (r.trunk_limit !== null && r.trunk_used >= r.trunk_limit) {
    return { acquired: false, reason: 'trunk_channels_full', inUse: r.trunk_used, limit: r.trunk_limit };
  }
  return null;
}

async function acquireIn(db: PoolClient, req: ChannelRequest): Promise<ChannelAcquisition> {
  const campaign = await db.query<{ max_channels: number | null; trunk: string | null }>(
    'SELECT max_channels, trunk FROM campaign WHERE id = $1 FOR NO KEY UPDATE', [req.campaignId]);
  if (campaign.rows.length === 0) throw new CampaignNotFoundError(`campaign ${req.campaignId} does not exist`);
  const { max_channels: campaignLimit, trunk: trunkName } = campaign.rows[0];
  const trunk = trunkName === null ? null
    : (await db.query<TrunkRow>(`SELECT ${TRUNK_COLUMNS} FROM trunk WHERE name = $1 FOR NO KEY UPDATE`, [trunkName])).rows[0];

  // Read after the locks were granted: a transaction's now() is when it began, before any wait.
  const { rows: [{ now }] } = await db.query<{ now: Date }>(
    'SELECT coalesce($1::timestamptz, clock_timestamp()) AS now', [nowParam(req.nowMs)]);
  const expiresAt = new Date(now.getTime() + req.ttlMs);

  const existing = await db.query<LeaseRow>(
    `UPDATE channel_lease SET holder = $2, expires_at = $3 WHERE channel_id = $1 RETURNING ${LEASE_COLUMNS}`,
    [req.channelId, req.holder, expiresAt]);
  if (existing.rows.length > 0) {
    const lease = existing.rows[0];
    if (lease.campaign_id !== req.campaignId) {
      throw new ChannelIdConflictError(`channel ${req.channelId} is leased for campaign ${lease.campaign_id}, not ${req.campaignId}`);
    }
    // The slot counts against the trunk it was taken on, which the campaign may have left since.
    const leaseTrunk = lease.trunk === null ? null : lease.trunk === trunk?.name ? trunk
      : (await db.query<TrunkRow>(`SELECT ${TRUNK_COLUMNS} FROM trunk WHERE name = $1`, [lease.trunk])).rows[0] ?? null;
    return { acquired: true, lease: toLease(lease), trunk: leaseTrunk && toTrunk(leaseTrunk), reacquired: true };
  }

  // Only the rows this acquirer is about to count: their campaign's and trunk's locks are held.
  await db.query(
    'DELETE FROM channel_lease WHERE expires_at <= $1 AND (campaign_id = $2 OR trunk = $3)',
    [now, req.campaignId, trunk?.name ?? null]);
  if (campaignLimit !== null || trunk) {
    const { rows: [used] } = await db.query<{ campaign: number; trunk: number }>(
      `SELECT count(*) FILTER (WHERE campaign_id = $1)::int AS campaign,
              count(*) FILTER (WHERE trunk = $2)::int AS trunk
         FROM channel_lease WHERE campaign_id = $1 OR trunk = $2`,
      [req.campaignId, trunk?.name ?? null]);
    if (campaignLimit !== null && used.campaign >= campaignLimit) {
      return { acquired: false, reason: 'campaign_channels_full', inUse: used.campaign, limit: campaignLimit };
    }
    if (trunk && used.trunk >= trunk.max_channels) {
      return { acquired: false, reason: 'trunk_channels_full', inUse: used.trunk, limit: trunk.max_channels };
    }
  }
  const inserted = await db.query<LeaseRow>(
    `INSERT INTO channel_lease (campaign_id, trunk, channel_id, holder, acquired_at, expires_at)
     VALUES ($1, $2, $3, $4, $5, $6) RETURNING ${LEASE_COLUMNS}`,
    [req.campaignId, trunk?.name ?? null, req.channelId, req.holder, now, expiresAt]);
  return { acquired: true, lease: toLease(inserted.rows[0]), trunk: trunk ? toTrunk(trunk) : null, reacquired: false };
}

/**
 * Extends the holder's lease to now + ttlMs. False when the lease is gone (it expired and an
 * acquirer reclaimed its slot, or it was released) or another holder took it over: the caller
 * no longer holds a slot and must not keep the call up on the strength of this lease.
 * A lease past its expiry that nobody has reclaimed yet is renewed: no acquirer counted its slot
 * as free (they delete what they do not count).
 */
export async function renewChannel(
  db: Queryable, channelId: string, holder: string, ttlMs: number, nowMs?: number,
): Promise<boolean> {
  checkTtl(ttlMs);
  const { rowCount } = await db.query(
    `UPDATE channel_lease SET expires_at = coalesce($3::timestamptz, clock_timestamp()) + $4 * interval '1 millisecond'
      WHERE channel_id = $1 AND holder = $2`,
    [channelId, holder, nowParam(nowMs), ttlMs]);
  return rowCount === 1;
}

/** Gives the slot back after the hangup. Idempotent: true only for the call that deleted it. */
export async function releaseChannel(db: Queryable, channelId: string): Promise<boolean> {
  const { rowCount } = await db.query('DELETE FROM channel_lease WHERE channel_id = $1', [channelId]);
  return rowCount === 1;
}

export interface WaitOptions {
  /** Stops waiting (the activity was cancelled); the last refusal is returned. */
  signal?: AbortSignal;
  /** Epoch ms after which no further attempt is made; the last refusal is returned. */
  deadlineMs?: number;
  /** Called after each refusal, before the pause: the call activity heartbeats from here. */
  onWait?: (refusal: ChannelRefused, attempt: number) => void | Promise<void>;
  /** The first pause; it doubles up to maxDelayMs. Defaults: 50 ms and 1 s. */
  initialDelayMs?: number;
  maxDelayMs?: number;
}

/**
 * acquireChannel until a slot is free, the deadline passes or the signal aborts. Always makes
 * one attempt. The pauses grow from 50 ms to 1 s and are jittered (each between half and all
 * of the step) so that waiters released by one hangup do not all retry in the same millisecond.
 */
export async function waitForChannel(pool: Pool, req: ChannelRequest, options: WaitOptions = {}): Promise<ChannelAcquisition> {
  // While it waits, the call says so in channel_wait (campaignWaits counts those rows): on its
  // first refusal and every CHANNEL_WAIT_NOTE_MS after, so a waiter that died stops counting.
  let notedAt: number | null = null;
  try {
    return await waitWithBackoff(pool, req, options, async (refusal) => {
      if (notedAt !== null && Date.now() - notedAt < CHANNEL_WAIT_NOTE_MS) return;
      notedAt = Date.now();
      // Informational: a failed note never keeps a call from its slot.
      await noteChannelWait(pool, { channelId: req.channelId, campaignId: req.campaignId, reason: refusal.reason }).catch(() => undefined);
    });
  } finally {
    if (notedAt !== null) await endChannelWait(pool, req.channelId).catch(() => undefined);
  }
}

/** How often a waiting call renews its channel_wait row (well inside CHANNEL_WAIT_LIVE_MS). */
const CHANNEL_WAIT_NOTE_MS = 10_000;

async function waitWithBackoff(
  pool: Pool, req: ChannelRequest, options: WaitOptions, note: (refusal: ChannelRefused) => Promise<void>,
): Promise<ChannelAcquisition> {
  const { signal, deadlineMs, onWait } = options;
  const maxDelayMs = options.maxDelayMs ?? 1000;
  let step = Math.min(options.initialDelayMs ?? 50, maxDelayMs);
  for (let attempt = 1; ; attempt++) {
    const result = await acquireChannel(pool, req);
    if (result.acquired) return result;
    if (signal?.aborted) return result;
    await note(result);
    await onWait?.(result, attempt);
    let pause = step / 2 + Math.random() * (step / 2);
    if (deadlineMs !== undefined) {
      const left = deadlineMs - Date.now();
      if (left <= 0) return result;
      pause = Math.min(pause, left);
    }
    if (!(await sleep(pause, signal))) return result;
    step = Math.min(step * 2, maxDelayMs);
  }
}

/** Resolves true after ms, or false as soon as the signal aborts. */
function sleep(ms: number, signal?: AbortSignal): Promise<boolean> {
  if (signal?.aborted) return Promise.resolve(false);
  return new Promise((resolve) => {
    const onAbort = (): void => { clearTimeout(timer); resolve(false); };
    const timer = setTimeout(() => { signal?.removeEventListener('abort', onAbort); resolve(true); }, ms);
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}

function checkTtl(ttlMs: number): void {
  if (!Number.isFinite(ttlMs) || ttlMs <= 0) throw new Error(`a channel lease needs a positive ttlMs, got ${ttlMs}`);
}

const nowParam = (nowMs: number | undefined): Date | null => (nowMs === undefined ? null : new Date(nowMs));

function toLease(r: LeaseRow): ChannelLease {
  return {
    id: Number(r.id), campaignId: r.campaign_id, trunk: r.trunk, channelId: r.channel_id, holder: r.holder,
    acquiredAt: r.acquired_at.toISOString(), expiresAt: r.expires_at.toISOString(),
  };
}

function toTrunk(r: TrunkRow): TrunkSettings {
  return { name: r.name, maxChannels: r.max_channels, endpointTemplate: r.endpoint_template, callerId: r.caller_id };
}
