import { Pool } from 'pg';
import {
  acquireChannel, releaseChannel, renewChannel, waitForChannel,
  type ChannelAcquisition, type ChannelRequest,
} from '../adapters/postgres/channelLeases';
import { updateCampaign } from '../adapters/postgres/campaigns';
import { createTestCampaign } from './fixtures';
import { createTestDatabase, type TestDatabase } from './testDatabase';

// Channel limits on real Postgres: several pools stand in for worker processes (each pool its
// own connections, as each process has), racing for a few slots; the limits must hold at every
// moment, not just at the end, and a dead worker's slots must come back when its leases expire.

let db: TestDatabase;
let n = 0;

beforeAll(async () => { db = await createTestDatabase(); });
afterAll(async () => { await db?.drop(); });

function campaign(maxChannels: number | null, trunk: string | null = null): Promise<string> {
  return createTestCampaign(db.pool, { id: `ch${++n}`, maxChannels, trunk, state: 'draft' });
}

async function trunk(maxChannels: number): Promise<string> {
  const name = `trunk-${++n}`;
  await db.pool.query(
    `INSERT INTO trunk (name, max_channels, endpoint_template, caller_id) VALUES ($1, $2, 'PJSIP/{number}@carrier', '+74951112233')`,
    [name, maxChannels]);
  return name;
}

const request = (campaignId: string, channelId: string, holder: string, extra: Partial<ChannelRequest> = {}): ChannelRequest =>
  ({ campaignId, channelId, holder, ttlMs: 30_000, ...extra });

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

function granted(r: ChannelAcquisition): Extract<ChannelAcquisition, { acquired: true }> {
  if (!r.acquired) throw new Error(`expected a slot, got ${r.reason} (${r.inUse} of ${r.limit})`);
  return r;
}

async function liveLeases(where: string, param: string): Promise<number> {
  const { rows } = await db.pool.query(
    `SELECT count(*)::int AS n FROM channel_lease WHERE ${where} = $1 AND expires_at > clock_timestamp()`, [param]);
  return rows[0].n;
}

/** Four "worker processes": separate pools on the test database. */
async function withWorkers<T>(run: (pools: Pool[]) => Promise<T>): Promise<T> {
  const pools = Array.from({ length: 4 }, () => new Pool({ connectionString: db.url, max: 5 }));
  try {
    return await run(pools);
  } finally {
    await Promise.all(pools.map((p) => p.end()));
  }
}

/** Samples a count from the database while `until` is pending; returns the highest seen. */
async function sampleMax(count: () => Promise<number>, until: Promise<unknown>): Promise<number> {
  let done = false;
  void until.finally(() => { done = true; });
  let max = 0;
  let samples = 0;
  while (!done) {
    max = Math.max(max, await count());
    samples++;
  }
  expect(samples).toBeGreaterThan(5);
  return max;
}

const fastBackoff = { initialDelayMs: 2, maxDelayMs: 20 };
// A call held for a random 20-50 ms. Each grant here waits for a commit flush (several ms on
// these disks) while the campaign's lock is held, so much shorter calls would end before the
// next grant and the limit would never be reached, let alone tested.
const holdMs = (): number => 20 + Math.random() * 30;

describe('campaign limit', () => {
  it('never lets 40 acquirers from 4 worker pools hold more than 3 channels at once', async () => {
    const id = await campaign(3);
    let inCall = 0;
    let maxInCall = 0;
    let refusals = 0;
    await withWorkers(async (pools) => {
      const race = Promise.all(Array.from({ length: 40 }, async (_, i) => {
        const channelId = `race-${i.toString().padStart(3, '0')}`;
        const got = granted(await waitForChannel(pools[i % 4], request(id, channelId, `worker-${i % 4}`), {
          ...fastBackoff,
          onWait: (r) => {
            refusals++;
            expect(r).toEqual({ acquired: false, reason: 'campaign_channels_full', inUse: 3, limit: 3 });
          },
        }));
        expect(got.trunk).toBeNull();
        inCall++;
        maxInCall = Math.max(maxInCall, inCall);
        await sleep(holdMs());
        inCall--; // before the release: the counter never runs ahead of the leases
        expect(await releaseChannel(pools[(i + 1) % 4], channelId)).toBe(true);
      }));
      const maxInDb = await sampleMax(() => liveLeases('campaign_id', id), race);
      await race;
      expect(maxInDb).toBeLessThanOrEqual(3);
    });
    expect(maxInCall).toBe(3);
    expect(refusals).toBeGreaterThan(0);
    expect(await liveLeases('campaign_id', id)).toBe(0);
  });

  it('does not count a campaign without a limit, and refuses with the numbers when full', async () => {
    const free = await campaign(null);
    for (let i = 0; i < 5; i++) granted(await acquireChannel(db.pool, request(free, `free-${i}`, 'w')));
    const one = await campaign(1);
    granted(await acquireChannel(db.pool, request(one, 'one-1', 'w')));
    expect(await acquireChannel(db.pool, request(one, 'one-2', 'w')))
      .toEqual({ acquired: false, reason: 'campaign_channels_full', inUse: 1, limit: 1 });
  });
});

describe('trunk limit', () => {
  it('holds across two campaigns that share a trunk, racing from 4 worker pools', async () => {
    const t = await trunk(4);
    const a = await campaign(3, t);
    const b = await campaign(null, t);
    let inCall = { trunk: 0, a: 0 };
    const max = { trunk: 0, a: 0 };
    await withWorkers(async (pools) => {
      const race = Promise.all(Array.from({ length: 40 }, async (_, i) => {
        const id = i % 2 === 0 ? a : b;
        const channelId = `tr-${i.toString().padStart(3, '0')}`;
        const got = granted(await waitForChannel(pools[i % 4], request(id, channelId, `worker-${i % 4}`), fastBackoff));
        expect(got.trunk).toEqual({ name: t, maxChannels: 4, endpointTemplate: 'PJSIP/{number}@carrier', callerId: '+74951112233' });
        expect(got.lease.trunk).toBe(t);
        inCall = { trunk: inCall.trunk + 1, a: inCall.a + (id === a ? 1 : 0) };
        max.trunk = Math.max(max.trunk, inCall.trunk);
        max.a = Math.max(max.a, inCall.a);
        await sleep(holdMs());
        inCall = { trunk: inCall.trunk - 1, a: inCall.a - (id === a ? 1 : 0) };
        await releaseChannel(pools[i % 4], channelId);
      }));
      const maxInDb = await sampleMax(() => liveLeases('trunk', t), race);
      await race;
      expect(maxInDb).toBeLessThanOrEqual(4);
    });
    expect(max.trunk).toBe(4);
    expect(max.a).toBeLessThanOrEqual(3);
  });

  it('says which limit refused, and gives a trunk slot freed by one campaign to the other', async () => {
    const t = await trunk(4);
    const a = await campaign(3, t);
    const b = await campaign(null, t);
    for (let i = 0; i < 3; i++) granted(await acquireChannel(db.pool, request(a, `fa-${i}`, 'w')));
    granted(await acquireChannel(db.pool, request(b, 'fb-0', 'w')));
    expect(await acquireChannel(db.pool, request(b, 'fb-1', 'w')))
      .toEqual({ acquired: false, reason: 'trunk_channels_full', inUse: 4, limit: 4 });
    // Both are full for A: its own limit is reported first.
    expect(await acquireChannel(db.pool, request(a, 'fa-3', 'w')))
      .toEqual({ acquired: false, reason: 'campaign_channels_full', inUse: 3, limit: 3 });
    await releaseChannel(db.pool, 'fa-0');
    granted(await acquireChannel(db.pool, request(b, 'fb-1', 'w')));
    expect(await acquireChannel(db.pool, request(a, 'fa-3', 'w')))
      .toEqual({ acquired: false, reason: 'trunk_channels_full', inUse: 4, limit: 4 });
  });

  it('keeps counting a call against the trunk it went out on after the campaign moves', async () => {
    const t1 = await trunk(1);
    const t2 = await trunk(5);
    const a = await campaign(null, t1);
    const other = await campaign(null, t1);
    granted(await acquireChannel(db.pool, request(a, 'mv-1', 'w')));
    await updateCampaign(db.pool, a, { trunk: t2 }, 'test');
    expect(await acquireChannel(db.pool, request(other, 'mv-2', 'w')))
      .toMatchObject({ acquired: false, reason: 'trunk_channels_full', inUse: 1 });
    // A retried acquire of the moved call reports the trunk the call is actually on.
    expect(granted(await acquireChannel(db.pool, request(a, 'mv-1', 'w'))).trunk?.name).toBe(t1);
    expect(granted(await acquireChannel(db.pool, request(a, 'mv-3', 'w'))).trunk?.name).toBe(t2);
  });
});

describe('crashes and retries', () => {
  it('gives a dead holder\'s slot back once its lease expires, on the database clock', async () => {
    const id = await campaign(1);
    const dead = granted(await acquireChannel(db.pool, request(id, 'dead-1', 'worker-dead', { ttlMs: 400 })));
    expect(await acquireChannel(db.pool, request(id, 'alive-1', 'worker-alive')))
      .toMatchObject({ acquired: false, reason: 'campaign_channels_full' });
    const started = Date.now();
    let waits = 0;
    const got = granted(await waitForChannel(db.pool, request(id, 'alive-1', 'worker-alive'), {
      deadlineMs: Date.now() + 5_000, onWait: () => { waits++; },
    }));
    expect(waits).toBeGreaterThan(0);
    expect(Date.now() - started).toBeLessThan(2_500);
    expect(got.lease.holder).toBe('worker-alive');
    expect(Date.parse(got.lease.acquiredAt)).toBeGreaterThanOrEqual(Date.parse(dead.lease.expiresAt) - 50);
    const { rows } = await db.pool.query('SELECT channel_id FROM channel_lease WHERE campaign_id = $1', [id]);
    expect(rows).toEqual([{ channel_id: 'alive-1' }]); // the dead lease is deleted, not just skipped
    expect(await renewChannel(db.pool, 'dead-1', 'worker-dead', 400)).toBe(false);
  });

  it('returns the existing lease to a retried acquire, even when the campaign is full', async () => {
    const id = await campaign(1);
    const first = granted(await acquireChannel(db.pool, request(id, 'idem-1', 'worker-a')));
    expect(first.reacquired).toBe(false);
    const again = granted(await acquireChannel(db.pool, request(id, 'idem-1', 'worker-a')));
    expect(again.reacquired).toBe(true);
    expect(again.lease.id).toBe(first.lease.id);
    expect(again.lease.acquiredAt).toBe(first.lease.acquiredAt);
    // Concurrent retries of one call take one slot.
    const racing = await Promise.all(Array.from({ length: 8 }, () => acquireChannel(db.pool, request(id, 'idem-1', 'worker-a'))));
    expect(racing.every((r) => r.acquired && r.lease.id === first.lease.id)).toBe(true);
    expect(await liveLeases('campaign_id', id)).toBe(1);
  });

  it('hands a lease to the worker that retries the call and fences off the previous holder', async () => {
    const id = await campaign(1);
    granted(await acquireChannel(db.pool, request(id, 'take-1', 'worker-old')));
    const taken = granted(await acquireChannel(db.pool, request(id, 'take-1', 'worker-new')));
    expect(taken).toMatchObject({ reacquired: true, lease: { holder: 'worker-new' } });
    expect(await renewChannel(db.pool, 'take-1', 'worker-old', 30_000)).toBe(false);
    expect(await renewChannel(db.pool, 'take-1', 'worker-new', 30_000)).toBe(true);
  });

  it('renews a live lease, refuses to renew one whose slot another holder took after it expired', async () => {
    const id = await campaign(1);
    const t0 = Date.parse('2026-11-26T10:00:00Z');
    const first = granted(await acquireChannel(db.pool, request(id, 'renew-1', 'worker-1', { ttlMs: 1_000, nowMs: t0 })));
    expect(first.lease.expiresAt).toBe('2026-11-26T10:00:01.000Z');
    expect(await renewChannel(db.pool, 'renew-1', 'worker-1', 1_000, t0 + 800)).toBe(true);
    // Still within the renewed lease: the slot is taken.
    expect(await acquireChannel(db.pool, request(id, 'renew-2', 'worker-2', { ttlMs: 1_000, nowMs: t0 + 1_500 })))
      .toMatchObject({ acquired: false, reason: 'campaign_channels_full' });
    // worker-1 stalls past the expiry; worker-2 takes the slot; worker-1's renew must fail.
    granted(await acquireChannel(db.pool, request(id, 'renew-2', 'worker-2', { ttlMs: 1_000, nowMs: t0 + 3_000 })));
    expect(await renewChannel(db.pool, 'renew-1', 'worker-1', 1_000, t0 + 3_100)).toBe(false);
    expect(await renewChannel(db.pool, 'renew-2', 'worker-2', 1_000, t0 + 3_100)).toBe(true);
  });

  it('lets a late holder keep a slot that nobody reclaimed', async () => {
    const id = await campaign(1);
    const t0 = Date.parse('2026-11-26T11:00:00Z');
    granted(await acquireChannel(db.pool, request(id, 'late-1', 'worker-1', { ttlMs: 1_000, nowMs: t0 })));
    expect(await renewChannel(db.pool, 'late-1', 'worker-1', 1_000, t0 + 5_000)).toBe(true);
    expect(await acquireChannel(db.pool, request(id, 'late-2', 'worker-2', { ttlMs: 1_000, nowMs: t0 + 5_500 })))
      .toMatchObject({ acquired: false, reason: 'campaign_channels_full' });
  });

  it('releases twice without complaint and frees the slot once', async () => {
    const id = await campaign(1);
    granted(await acquireChannel(db.pool, request(id, 'rel-1', 'w')));
    expect(await releaseChannel(db.pool, 'rel-1')).toBe(true);
    expect(await releaseChannel(db.pool, 'rel-1')).toBe(false);
    expect(await renewChannel(db.pool, 'rel-1', 'w', 1_000)).toBe(false);
    granted(await acquireChannel(db.pool, request(id, 'rel-2', 'w')));
  });
});

describe('waiting', () => {
  it('gives up at the deadline with the last refusal', async () => {
    const id = await campaign(1);
    granted(await acquireChannel(db.pool, request(id, 'dl-1', 'w')));
    const started = Date.now();
    const r = await waitForChannel(db.pool, request(id, 'dl-2', 'w'), { deadlineMs: started + 300 });
    expect(r).toEqual({ acquired: false, reason: 'campaign_channels_full', inUse: 1, limit: 1 });
    expect(Date.now() - started).toBeGreaterThanOrEqual(290);
    expect(Date.now() - started).toBeLessThan(1_500);
  });

  it('stops waiting as soon as the signal aborts', async () => {
    const id = await campaign(1);
    granted(await acquireChannel(db.pool, request(id, 'ab-1', 'w')));
    const abort = new AbortController();
    const started = Date.now();
    setTimeout(() => abort.abort(), 200);
    const r = await waitForChannel(db.pool, request(id, 'ab-2', 'w'), { signal: abort.signal, maxDelayMs: 10_000, initialDelayMs: 10_000 });
    expect(r.acquired).toBe(false);
    expect(Date.now() - started).toBeLessThan(1_000);
    expect(await liveLeases('campaign_id', id)).toBe(1);
  });

  it('rejects a campaign that does not exist', async () => {
    await expect(acquireChannel(db.pool, request('no-such', 'x-1', 'w'))).rejects.toThrow('campaign no-such does not exist');
  });
});
