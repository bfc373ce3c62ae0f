import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { DefaultLogger, Runtime, Worker } from '@temporalio/worker';
import { randomBytes } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import { createTimeSkippingEnv } from './timeSkipping';
import { sleepyWorkflow } from './workflows/sleepy';

// The time-skipping test server (Java, from Maven Central via scripts/temporal-test-server.sh):
// timers of days fire at once, an activity can move server time on, and teardown kills the JVM.

const DAY = 24 * 60 * 60 * 1000;

jest.setTimeout(120_000);

/** Pids of live (not zombie) Java test servers listening on `port`, found through /proc. */
function testServerPids(port: number): number[] {
  const pids: number[] = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const args = readFileSync(`/proc/${entry}/cmdline`, 'utf8').split('\0').filter(Boolean);
      if (!args.includes('io.temporal.testserver.TestServer') || !args.includes(String(port))) continue;
      const stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
      const state = stat.slice(stat.lastIndexOf(')') + 2)[0];
      if (state !== 'Z' && state !== 'X') pids.push(Number(entry));
    } catch {
      // the process went away while we looked
    }
  }
  return pids;
}

function portOf(env: TestWorkflowEnvironment): number {
  return Number(env.address.split(':').pop());
}

let env: TestWorkflowEnvironment;

beforeAll(async () => {
  // The worker's INFO lines would bury the report; so would core's warning, at every worker
  // start, that the Java test server does not advertise a capability of Temporal Server >= 1.16.
  Runtime.install({
    logger: new DefaultLogger('WARN'),
    telemetryOptions: { logging: { filter: { core: 'ERROR', other: 'ERROR' } } },
  });
  env = await createTimeSkippingEnv();
}, 15 * 60_000); // a first run on a machine fetches the server with Maven (~30 s)

afterAll(async () => {
  await env?.teardown();
});

async function withWorker<T>(fn: (taskQueue: string) => Promise<T>): Promise<T> {
  const taskQueue = `time-skipping-${randomBytes(4).toString('hex')}`;
  const worker = await Worker.create({
    connection: env.nativeConnection,
    taskQueue,
    workflowsPath: require.resolve('./workflows/sleepy'),
  });
  return worker.runUntil(fn(taskQueue));
}

describe('the time-skipping test server', () => {
  test('a workflow sleeping 3 days finishes in seconds of wall-clock time', async () => {
    const result = await withWorker(async (taskQueue) => {
      const serverBefore = await env.currentTimeMs();
      const wallBefore = Date.now();
      const r = await env.client.workflow.execute(sleepyWorkflow, {
        taskQueue,
        workflowId: `sleepy-${randomBytes(4).toString('hex')}`,
        args: ['dialer'],
      });
      const serverAdvanced = (await env.currentTimeMs()) - serverBefore;
      const wallAdvanced = Date.now() - wallBefore;
      expect(serverAdvanced).toBeGreaterThanOrEqual(3 * DAY);
      expect(wallAdvanced).toBeLessThan(30_000);
      return r;
    });
    expect(result).toEqual({ greeting: 'good morning, dialer', sleptDays: 3 });
  });

  test('servers started at once get ports of their own, and teardown leaves no java process', async () => {
    const envs = await Promise.all([createTimeSkippingEnv(), createTimeSkippingEnv()]);
    const ports = envs.map(portOf);
    try {
      expect(new Set([...ports, portOf(env)]).size).toBe(3);
      for (const port of ports) expect(testServerPids(port)).toHaveLength(1);
      // Each is a server of its own: time skipped on one does not move the other.
      const before = await envs[1].currentTimeMs();
      await envs[0].sleep('5 days');
      expect((await envs[0].currentTimeMs()) - before).toBeGreaterThanOrEqual(5 * DAY);
      expect((await envs[1].currentTimeMs()) - before).toBeLessThan(DAY);
    } finally {
      await Promise.all(envs.map((e) => e.teardown()));
    }
    for (const port of ports) expect(testServerPids(port)).toEqual([]);
  });
});
