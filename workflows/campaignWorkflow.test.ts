import { ApplicationFailure } from '@temporalio/common';
import { Worker } from '@temporalio/worker';
import { randomBytes } from 'node:crypto';
import { useSkippingWorld } from './testing/skippingWorld';
import { campaignWorkflow, type CampaignInput, type CampaignSummary } from './campaignWorkflow';
import { campaignChangedSignal, campaignProgressQuery } from './signals';
import { fakeCampaign, type CampaignSeen, type FakeCampaignOptions } from './testing/fakeActivities';

// The campaign workflow's real code on Temporal's time-skipping test server, in front of an
// in-memory campaign (workflows/testing/fakeActivities.ts) whose contacts run for a set time of
// the server's clock: its polls of seconds and its contacts of minutes take no wall-clock time.

const POLL_MS = 25_000;

jest.setTimeout(60_000);

const world = useSkippingWorld();

/** Runs the campaign workflow to its end against a fake campaign; returns its summary and what the fake saw. */
async function runCampaign(
  campaign: FakeCampaignOptions, input: Omit<CampaignInput, 'campaignId'>,
): Promise<{ result: CampaignSummary; seen: CampaignSeen }> {
  const { activities, seen } = fakeCampaign(() => world.env.currentTimeMs(), campaign);
  const taskQueue = `campaign-${randomBytes(4).toString('hex')}`;
  const worker = await Worker.create({ connection: world.env.nativeConnection, taskQueue, workflowBundle: world.bundle, activities });
  const workflowId = `campaign/unit-${randomBytes(4).toString('hex')}`;
  try {
    const result = await worker.runUntil(world.env.client.workflow.execute(campaignWorkflow, {
      taskQueue, workflowId, args: [{ campaignId: 'c-unit', pollIntervalMs: POLL_MS, ...input }],
    }));
    return { result, seen };
  } finally {
    // A campaign a failed test leaves running would, at its next timer, hold a workflow task no
    // worker takes, and the server stops skipping time for every test after it.
    await world.env.client.workflow.getHandle(workflowId).terminate('test over').catch(() => undefined);
  }
}

const pages = (seen: CampaignSeen) => seen.pages.map((p) => [p.args.req.afterId, p.args.req.limit, p.args.result.started]);

describe('the campaign workflow with fake activities', () => {
  test('starts pages into the free slots until nothing is pending or running, then completes the campaign', async () => {
    const { result, seen } = await runCampaign(
      { contacts: 7, maxInFlight: 3, contactRunsMs: 60_000 },
      { pageSize: 2 },
    );
    // [afterId, limit, started]: a page never asks for more than the page size or the free
    // slots, and each starts after the last contact of the one before.
    expect(pages(seen)).toEqual([
      [0, 2, 2], [2, 1, 1], // 3 in flight: full
      [3, 2, 2], [5, 1, 1], // after the first three finished
      [6, 2, 1], // the last one
    ]);
    expect(seen.maxInProgress).toBe(3);
    expect([...seen.starts.entries()]).toEqual([1, 2, 3, 4, 5, 6, 7].map((id) => [id, 1]));

    // A full campaign sleeps a poll interval; a page that started someone asks again at once.
    const [s0, s1, s2, s3] = seen.status.map((s) => s.atMs);
    expect(s1 - s0).toBeLessThan(POLL_MS);
    expect(s2 - s1).toBeLessThan(POLL_MS);
    expect(s3 - s2).toBeGreaterThanOrEqual(POLL_MS);

    // Completed only once the last contact finished, not when the last page was started.
    expect(seen.completed.map((c) => c.args)).toEqual(['c-unit']);
    const last = seen.status[seen.status.length - 1];
    expect(last.args).toMatchObject({ state: 'running', pending: 0, inProgress: 0, started: 7 });
    expect(seen.completed[0].atMs).toBeGreaterThanOrEqual(seen.pages[4].atMs + 60_000);
    expect(result).toEqual({ campaignId: 'c-unit', state: 'completed', contactsStarted: 7, runs: 1 });
  });

  test('a paused campaign starts no page: it polls until it runs again', async () => {
    const { result, seen } = await runCampaign(
      { contacts: 3, maxInFlight: 5, contactRunsMs: 60_000, state: (n) => (n < 3 ? 'paused' : 'running') },
      { pageSize: 10 },
    );
    expect(seen.status.slice(0, 4).map((s) => s.args.state)).toEqual(['paused', 'paused', 'paused', 'running']);
    expect(pages(seen)).toEqual([[0, 5, 3]]); // 5 free slots, 3 contacts
    // The first page came with the first running status, after three paused polls.
    expect(seen.pages[0].atMs).toBeGreaterThanOrEqual(seen.status[3].atMs);
    expect(seen.pages[0].atMs - seen.status[0].atMs).toBeGreaterThanOrEqual(3 * POLL_MS);
    expect(result).toEqual({ campaignId: 'c-unit', state: 'completed', contactsStarted: 3, runs: 1 });
  });

  test('a campaign cancelled while paused ends cancelled: no page, not completed', async () => {
    const { result, seen } = await runCampaign(
      { contacts: 3, maxInFlight: 5, contactRunsMs: 60_000, state: (n) => (n < 2 ? 'paused' : 'cancelled') },
      {},
    );
    expect(seen.status.map((s) => s.args.state)).toEqual(['paused', 'paused', 'cancelled']);
    expect(seen.pages).toEqual([]);
    expect(seen.completed).toEqual([]);
    expect(result).toEqual({ campaignId: 'c-unit', state: 'cancelled', contactsStarted: 0, runs: 1 });
  });

  test('continue-as-new carries the cursor: no contact is started twice across runs', async () => {
    const { result, seen } = await runCampaign(
      { contacts: 5, maxInFlight: 10, contactRunsMs: 0 },
      { pageSize: 2, iterationsPerRun: 2 },
    );
    // Two iterations a run: pages 1 and 2 in the first run, page 3 and the completion in the second.
    expect(pages(seen)).toEqual([[0, 2, 2], [2, 2, 2], [4, 2, 1]]);
    expect([...seen.starts.values()]).toEqual([1, 1, 1, 1, 1]);
    expect(seen.completed).toHaveLength(1);
    expect(result).toEqual({ campaignId: 'c-unit', state: 'completed', contactsStarted: 5, runs: 2 });
  });

  test('contacts added while it runs are started by its paging, once each, and counted before it completes', async () => {
    const { result, seen } = await runCampaign(
      { contacts: 3, maxInFlight: 2, contactRunsMs: 60_000, added: (n) => (n === 3 ? 2 : 0) },
      { pageSize: 10 },
    );
    expect([...seen.starts.entries()]).toEqual([1, 2, 3, 4, 5].map((id) => [id, 1]));
    expect(seen.maxInProgress).toBe(2);
    expect(result).toEqual({ campaignId: 'c-unit', state: 'completed', contactsStarted: 5, runs: 1 });
  });

  test('a stopped campaign tells its contacts in flight and cancels the ones never started before it ends', async () => {
    const { result, seen } = await runCampaign(
      { contacts: 5, maxInFlight: 2, contactRunsMs: 10 * 60_000, state: (n) => (n < 2 ? 'running' : 'cancelled') },
      { pageSize: 10 },
    );
    expect(pages(seen)).toEqual([[0, 2, 2]]);
    expect(seen.woken.map((w) => w.args)).toEqual([[1, 2]]);
    expect(seen.cancelled.map((c) => c.args)).toEqual([[3, 4, 5]]);
    expect(seen.completed).toEqual([]);
    expect(result).toEqual({ campaignId: 'c-unit', state: 'cancelled', contactsStarted: 2, runs: 1 });
  });

  test('a campaignChanged signal is passed on to the contacts in flight at once, not at the next poll', async () => {
    const { activities, seen } = fakeCampaign(() => world.env.currentTimeMs(), { contacts: 4, maxInFlight: 3, contactRunsMs: 10 * 60_000 });
    const taskQueue = `campaign-${randomBytes(4).toString('hex')}`;
    const worker = await Worker.create({ connection: world.env.nativeConnection, taskQueue, workflowBundle: world.bundle, activities });
    const workflowId = `campaign/unit-${randomBytes(4).toString('hex')}`;
    try {
      const result = await worker.runUntil(async () => {
        // A poll of an hour: only the signal can make it look again before then.
        const handle = await world.env.client.workflow.start(campaignWorkflow, {
          taskQueue, workflowId, args: [{ campaignId: 'c-unit', pollIntervalMs: 60 * 60_000 }],
        });
        for (let i = 0; i < 400 && (await handle.query(campaignProgressQuery)).startedThisRun < 3; i++) {
          await new Promise((resolve) => setTimeout(resolve, 25));
        }
        const polls = seen.status.length;
        await handle.signal(campaignChangedSignal);
        for (let i = 0; i < 400 && seen.woken.length === 0; i++) await new Promise((resolve) => setTimeout(resolve, 25));
        expect(seen.woken.map((w) => w.args)).toEqual([[1, 2, 3]]);
        // Woken without waiting for the hour's poll, and it looked at the campaign again after.
        expect(seen.woken[0].atMs - seen.status[polls - 1].atMs).toBeLessThan(60_000);
        for (let i = 0; i < 400 && seen.status.length === polls; i++) await new Promise((resolve) => setTimeout(resolve, 25));
        expect(seen.status.length).toBe(polls + 1);
        return handle.result();
      });
      expect(seen.woken).toHaveLength(1);
      expect(result).toMatchObject({ state: 'completed', contactsStarted: 4 });
    } finally {
      await world.env.client.workflow.getHandle(workflowId).terminate('test over').catch(() => undefined);
    }
  });

  test('warms the template once, before the first page, and not again in later runs', async () => {
    const { result, seen } = await runCampaign(
      { contacts: 6, maxInFlight: 2, contactRunsMs: 60_000 },
      { pageSize: 2, iterationsPerRun: 2 },
    );
    expect(result.runs).toBeGreaterThan(1);
    expect(seen.warmed.map((w) => w.args)).toEqual(['c-unit']);
    expect(seen.warmed[0].atMs).toBeLessThanOrEqual(seen.pages[0].atMs);
    expect([...seen.starts.values()]).toEqual([1, 1, 1, 1, 1, 1]);
  });

  test('a template that cannot be warmed (the speech service refuses) still dials: each contact prepares on its own', async () => {
    const refused = ApplicationFailure.create({ type: 'SpeechRejectedError', message: 'SpeechKit answered 401' });
    const { result, seen } = await runCampaign(
      { contacts: 3, maxInFlight: 3, contactRunsMs: 60_000, warm: () => refused },
      { pageSize: 10 },
    );
    expect(seen.warmed).toHaveLength(1); // not retried: a refused key stays refused
    expect(result).toMatchObject({ state: 'completed', contactsStarted: 3 });
  });
});
