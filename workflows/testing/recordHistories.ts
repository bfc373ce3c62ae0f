import { Worker, bundleWorkflowCode, DefaultLogger, Runtime } from '@temporalio/worker';
import { DateTime } from 'luxon';
import { randomBytes } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { createTimeSkippingEnv } from '../../test/timeSkipping';
import { campaignWorkflow } from '../campaignWorkflow';
import { contactWorkflow } from '../contactWorkflow';
import { campaignChangedSignal, contactProgressQuery } from '../signals';
import {
  PREPARED, contactPlan, ended, fakeCampaign, phone, prepareFails, scriptedContactActivities,
} from './fakeActivities';

// Records replay fixtures (testing/histories, replayed by workflows/replay.test.ts) of the
// workflows as they are now, on the time-skipping test server with the fake activities:
//
//   npx tsx workflows/testing/recordHistories.ts [name ...]
//
// A fixture is recorded once, on the commit it names in replay.test.ts, and never again: later
// code must replay what this code did. Record a new scenario under a new name instead.

const DIR = path.join(__dirname, 'histories');

type Env = Awaited<ReturnType<typeof createTimeSkippingEnv>>;

const scenarios: Record<string, (env: Env, bundle: Awaited<ReturnType<typeof bundleWorkflowCode>>) => Promise<unknown>> = {
  /**
   * 'speech-prepare': prepare refused (401), the contact waits; a campaignChanged wakes it; the
   * next prepare meets a 429 (retried by Temporal) and succeeds; busy; a retry an hour later
   * (prepared again), answered.
   */
  async 'contact-speech-prepare.json'(env, bundle) {
    const clock = () => env.currentTimeMs();
    const { activities, seen } = scriptedContactActivities(clock, {
      plan: [contactPlan({ strategy: { maxAttemptsPerNumber: 3, retryIntervalSeconds: 3600, machineAction: 'hang_up' } })],
      prepared: [
        prepareFails('SpeechRejectedError', 'SpeechRejectedError 401'),
        prepareFails('SpeechUnavailableError', 'SpeechUnavailableError 429'),
        PREPARED,
      ],
      call: [ended('busy'), ended('answered')],
    });
    const taskQueue = `record-${randomBytes(4).toString('hex')}`;
    const worker = await Worker.create({ connection: env.nativeConnection, taskQueue, workflowBundle: bundle, activities });
    return worker.runUntil(async () => {
      const handle = await env.client.workflow.start(contactWorkflow, {
        taskQueue, workflowId: `contact/record/${randomBytes(4).toString('hex')}`, args: [{ campaignId: 'c-unit', contactId: 42 }],
      });
      for (let i = 0; i < 400; i++) {
        const p = await handle.query(contactProgressQuery);
        if (p.step === 'wait' && seen.speechFailed.length === 1) break;
        await new Promise((resolve) => setTimeout(resolve, 25));
      }
      if (seen.speechFailed.length !== 1) throw new Error('the contact never waited after the refused prepare');
      await handle.signal(campaignChangedSignal);
      const result = await handle.result();
      if (result.state !== 'done' || seen.call.length !== 2 || seen.prepareMessage.length !== 4) {
        throw new Error(`unexpected run: ${JSON.stringify({ result, order: seen.order })}`);
      }
      return handle.fetchHistory();
    });
  },

  /**
   * 'prepare-local-when-cached': the first attempt prepared by the local prepareFromCache (a hit),
   * busy; a retry an hour later whose local step fails once (retried locally), then misses, so
   * prepareMessage prepares it, busy; the third an hour later a hit again, answered.
   */
  async 'contact-local-prepare.json'(env, bundle) {
    const clock = () => env.currentTimeMs();
    const { activities, seen } = scriptedContactActivities(clock, {
      plan: [contactPlan({ strategy: { maxAttemptsPerNumber: 3, retryIntervalSeconds: 3600, machineAction: 'hang_up' } })],
      cached: [
        { preparedId: 901, media: ['sound:dialer/speech/cafe0123'], durationMs: 3100 },
        new Error('the speech store is unreadable (recorded)'),
        { miss: true },
        { preparedId: 903, media: ['sound:dialer/speech/cafe4567'], durationMs: 3100 },
      ],
      call: [ended('busy'), ended('busy'), ended('answered')],
    });
    const taskQueue = `record-${randomBytes(4).toString('hex')}`;
    const worker = await Worker.create({ connection: env.nativeConnection, taskQueue, workflowBundle: bundle, activities });
    return worker.runUntil(async () => {
      const handle = await env.client.workflow.start(contactWorkflow, {
        taskQueue, workflowId: `contact/record/${randomBytes(4).toString('hex')}`, args: [{ campaignId: 'c-unit', contactId: 42 }],
      });
      const result = await handle.result();
      const media = seen.call.map((c) => c.args.media[0]);
      if (result.state !== 'done' || seen.prepareFromCache.length !== 4 || seen.prepareMessage.length !== 1
        || JSON.stringify(media) !== JSON.stringify(['sound:dialer/speech/cafe0123', PREPARED.media[0], 'sound:dialer/speech/cafe4567'])) {
        throw new Error(`unexpected run: ${JSON.stringify({ result, order: seen.order })}`);
      }
      return handle.fetchHistory();
    });
  },

  /**
   * 'lean-attempt': the plan, the first gate and a cached hit in one local step, busy (recorded
   * alone); an hour later the gate and the store failing (a miss) in one step, so prepareMessage
   * prepares it, no answer; an hour later a hit again, answered, recorded and finished in one step.
   */
  async 'contact-lean-attempt.json'(env, bundle) {
    const clock = () => env.currentTimeMs();
    const { activities, seen } = scriptedContactActivities(clock, {
      plan: [contactPlan({ strategy: { maxAttemptsPerNumber: 3, retryIntervalSeconds: 3600, machineAction: 'hang_up' } })],
      cached: [
        { preparedId: 901, media: ['sound:dialer/speech/cafe0123'], durationMs: 3100 },
        new Error('the speech store is unreadable (recorded)'),
        { preparedId: 903, media: ['sound:dialer/speech/cafe4567'], durationMs: 3100 },
      ],
      call: [ended('busy'), ended('no_answer'), ended('answered')],
    });
    const taskQueue = `record-${randomBytes(4).toString('hex')}`;
    const worker = await Worker.create({ connection: env.nativeConnection, taskQueue, workflowBundle: bundle, activities });
    return worker.runUntil(async () => {
      const handle = await env.client.workflow.start(contactWorkflow, {
        taskQueue, workflowId: `contact/record/${randomBytes(4).toString('hex')}`, args: [{ campaignId: 'c-unit', contactId: 42 }],
      });
      const result = await handle.result();
      const media = seen.call.map((c) => c.args.media[0]);
      if (result.state !== 'done' || seen.prepareMessage.length !== 1 || seen.record.length !== 3
        || JSON.stringify(seen.combined.map((c) => c.args)) !== JSON.stringify(['openAndGate', 'gateAndPrepare', 'gateAndPrepare', 'gateAndPrepare', 'gateAndPrepare', 'recordAndFinish'])
        || JSON.stringify(media) !== JSON.stringify(['sound:dialer/speech/cafe0123', PREPARED.media[0], 'sound:dialer/speech/cafe4567'])) {
        throw new Error(`unexpected run: ${JSON.stringify({ result, order: seen.order, combined: seen.combined.map((c) => c.args) })}`);
      }
      return handle.fetchHistory();
    });
  },

  /** 'warm-speech': the template warmed, then pages of two into two slots, completed. */
  async 'campaign-warm-speech.json'(env, bundle) {
    const { activities, seen } = fakeCampaign(() => env.currentTimeMs(), { contacts: 7, maxInFlight: 2, contactRunsMs: 60_000 });
    const taskQueue = `record-${randomBytes(4).toString('hex')}`;
    const worker = await Worker.create({ connection: env.nativeConnection, taskQueue, workflowBundle: bundle, activities });
    return worker.runUntil(async () => {
      const handle = await env.client.workflow.start(campaignWorkflow, {
        taskQueue, workflowId: `campaign/record-${randomBytes(4).toString('hex')}`,
        args: [{ campaignId: 'c-unit', pollIntervalMs: 25_000, pageSize: 2 }],
      });
      const result = await handle.result();
      if (result.state !== 'completed' || seen.warmed.length !== 1) throw new Error(`unexpected run: ${JSON.stringify(result)}`);
      return handle.fetchHistory();
    });
  },

  /**
   * 'mobileThenHome' (the example strategy workflow, workflows/strategies/mobileThenHome): from
   * 10:00 in Vladivostok, busy twice on the mobile ten minutes apart; waiting for 18:00 there, a
   * campaignChanged wakes it (the plan read again, the gate asked again, the wait resumed); home
   * answers at 18:00.
   */
  async 'strategy-mobile-then-home.json'(env, bundle) {
    const zone = 'Asia/Vladivostok';
    const now = await env.currentTimeMs();
    const tenOClock = DateTime.fromMillis(now, { zone }).startOf('week').plus({ weeks: 1 }).set({ hour: 10 }).toMillis();
    await env.sleep(tenOClock - now);
    const { activities, seen } = scriptedContactActivities(() => env.currentTimeMs(), {
      plan: [contactPlan({
        phones: [{ ...phone(1, '+79140000001', [zone]), kind: 'mobile' }, { ...phone(2, '+74232000002', [zone]), kind: 'home' }],
        strategy: { maxAttemptsPerNumber: 3, retryIntervalSeconds: 600, machineAction: 'hang_up' },
      })],
      call: [ended('busy'), ended('busy'), ended('answered')],
    });
    const taskQueue = `record-${randomBytes(4).toString('hex')}`;
    const worker = await Worker.create({ connection: env.nativeConnection, taskQueue, workflowBundle: bundle, activities });
    return worker.runUntil(async () => {
      const handle = await env.client.workflow.start('mobileThenHome', {
        taskQueue, workflowId: `contact/record/${randomBytes(4).toString('hex')}`, args: [{ campaignId: 'c-unit', contactId: 42 }],
      });
      for (let i = 0; i < 400; i++) {
        const p = await handle.query(contactProgressQuery);
        if (p.step === 'wait' && p.attempts === 2 && p.sleepingUntil !== null) break;
        // The server skips time only while a client waits for it: past the retry's ten minutes.
        if (p.step === 'wait' && p.attempts === 1 && p.sleepingUntil !== null) await env.sleep(Date.parse(p.sleepingUntil) - await env.currentTimeMs() + 1000);
        await new Promise((resolve) => setTimeout(resolve, 25));
      }
      if (seen.call.length !== 2) throw new Error('the contact never waited for the evening after two calls');
      await handle.signal(campaignChangedSignal);
      const result = await handle.result();
      const home = seen.call[2];
      if (result.state !== 'done' || seen.plan.length !== 2 || !home
        || DateTime.fromMillis(home.atMs, { zone }).toFormat('HH:mm') !== '18:00') {
        throw new Error(`unexpected run: ${JSON.stringify({ result, order: seen.order })}`);
      }
      return handle.fetchHistory();
    });
  },
};

async function main(): Promise<void> {
  const names = process.argv.slice(2);
  Runtime.install({ logger: new DefaultLogger('ERROR') });
  const [env, bundle] = await Promise.all([
    createTimeSkippingEnv(),
    bundleWorkflowCode({ workflowsPath: require.resolve('../index'), logger: new DefaultLogger('ERROR') }),
  ]);
  try {
    for (const [name, record] of Object.entries(scenarios)) {
      if (names.length > 0 && !names.includes(name)) continue;
      const history = await record(env, bundle);
      writeFileSync(path.join(DIR, name), JSON.stringify(history));
      process.stdout.write(`${name}: recorded\n`);
    }
  } finally {
    await env.teardown();
  }
}

main().catch((err) => {
  process.stderr.write(`${err instanceof Error ? err.stack : String(err)}\n`);
  process.exit(1);
});
