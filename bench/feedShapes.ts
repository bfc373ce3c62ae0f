import { Client, Connection } from '@temporalio/client';
import { DefaultLogger, NativeConnection, Runtime, Worker } from '@temporalio/worker';
import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { feedActivities } from './bareFeed/activities';

// The campaign feed's cost on the bare server (issue "close to the server's limit", item 2):
// the same lean contacts (1 local + 1 activity, no-op) kept `width` in flight four ways, in one
// run: started by a client directly (no feed at all: the floor), by the product's shape of feed
// (a workflow that reads the counts in a local activity and starts a page through the client in
// an activity, polling every second when full, and every 100 ms), and as child workflows of the
// feed (no polling; every start and end in the feed's history). Each phase prints its rate and
// the CPU the Temporal server and this process spent per contact.
//
//   npm run bench -- feed [contacts=2000] [width=100]

const [nArg, widthArg] = process.argv.slice(2);
const n = Number(nArg ?? 2000);
const width = Number(widthArg ?? 100);
const address = process.env.TEMPORAL_ADDRESS ?? '127.0.0.1:7233';

/** CPU seconds the Temporal dev server has used so far (utime + stime of its process). */
function serverCpuSeconds(): number {
  const pids = execFileSync('pgrep', ['-f', 'temporal server start-dev'], { encoding: 'utf8' }).trim().split('\n');
  const tick = Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }));
  return pids.reduce((sum, pid) => {
    const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ');
    return sum + (Number(fields[11]) + Number(fields[12])) / tick;
  }, 0);
}

async function main(): Promise<void> {
  Runtime.install({ logger: new DefaultLogger('WARN') });
  const taskQueue = `bench-feed-${randomBytes(3).toString('hex')}`;
  const clientConnection = await Connection.connect({ address });
  const client = new Client({ connection: clientConnection });
  const acts = feedActivities(client, taskQueue);
  const connection = await NativeConnection.connect({ address });
  const worker = await Worker.create({
    connection, taskQueue, workflowsPath: require.resolve('./bareFeed/workflows'), activities: acts,
  });
  console.log(`bench feed: ${n} lean contacts, ${width} in flight, Temporal ${address}`);

  const phases: { name: string; run: (id: string) => Promise<unknown> }[] = [
    {
      name: 'client starts (no feed workflow)',
      run: async (id) => {
        let next = 0;
        await Promise.all(Array.from({ length: Math.min(width, n) }, async () => {
          while (next < n) await client.workflow.execute('feedContact', { taskQueue, workflowId: `${id}-${next++}`, args: [] });
        }));
      },
    },
    { name: 'feed workflow, pages started by an activity, 1 s poll (the product)', run: (id) => untilDone(id, 'activityFeed', [n, width, 1000]) },
    { name: 'feed workflow, pages started by an activity, 100 ms poll', run: (id) => untilDone(id, 'activityFeed', [n, width, 100]) },
    { name: 'feed workflow, contacts as child workflows', run: (id) => untilDone(id, 'childFeed', [n, width]) },
  ];

  async function untilDone(id: string, type: string, args: unknown[]): Promise<void> {
    const feed = await client.workflow.start(type, { taskQueue, workflowId: id, args });
    while (acts.doneCount() < n) await new Promise((r) => setTimeout(r, 20));
    await feed.result();
  }

  const rows: string[] = [];
  await worker.runUntil(async () => {
    for (const phase of phases) {
      acts.reset();
      const id = `${taskQueue}-${rows.length}`;
      const server0 = serverCpuSeconds();
      const own0 = process.cpuUsage();
      const started = Date.now();
      await phase.run(id);
      const seconds = (Date.now() - started) / 1000;
      const own = process.cpuUsage(own0);
      const serverMs = ((serverCpuSeconds() - server0) * 1000) / n;
      const ownMs = (own.user + own.system) / 1000 / n;
      const line = `${phase.name}: ${(n / seconds).toFixed(1)} contacts/s (${n} in ${seconds.toFixed(1)} s); per contact: server ${serverMs.toFixed(1)} ms CPU, worker + client ${ownMs.toFixed(1)} ms CPU`;
      console.log(line);
      rows.push(line);
    }
  });
  const load = readFileSync('/proc/loadavg', 'utf8').split(' ').slice(0, 3).join(' ');
  console.log(`load average at the end: ${load}`);
  await clientConnection.close();
  await connection.close();
}

main().catch((err) => { console.error(err); process.exit(1); });
