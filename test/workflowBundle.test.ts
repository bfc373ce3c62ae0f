import { Worker } from '@temporalio/worker';
import { ApplicationFailure } from '@temporalio/common';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { buildWorkflowBundle } from '../apps/worker/buildWorkflowBundle';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { WorkflowFailedError } from '@temporalio/client';
import { createTimeSkippingEnv } from './timeSkipping';

// The Docker image bundles the workflow code at build time (npm run build:workflows) and the
// worker loads that file (WORKFLOW_BUNDLE_PATH): the file must hold the real contact workflow.

jest.setTimeout(120_000);

let env: TestWorkflowEnvironment;
let dir: string;
beforeAll(async () => {
  env = await createTimeSkippingEnv();
  dir = mkdtempSync(path.join(tmpdir(), 'dialer-bundle-'));
});
afterAll(async () => {
  await env?.teardown();
  rmSync(dir, { recursive: true, force: true });
});

test('a worker runs the contact workflow from the prebuilt bundle', async () => {
  const codePath = path.join(dir, 'workflow-bundle.js');
  await buildWorkflowBundle(codePath);
  let plans = 0;
  const worker = await Worker.create({
    connection: env.nativeConnection,
    taskQueue: 'bundle-test',
    workflowBundle: { codePath },
    activities: {
      // The contact was deleted: the bundled workflow's policy must not retry this. The first
      // step is openAndGate since the lean attempt (patched 'lean-attempt'), plan before it.
      ...Object.fromEntries(['plan', 'openAndGate'].map((name) => [name, async () => {
        plans++;
        throw ApplicationFailure.create({ type: 'ContactNotFoundError', message: 'contact 1 does not exist' });
      }])),
    },
  });
  const run = worker.runUntil(
    env.client.workflow.execute('contactWorkflow', {
      taskQueue: 'bundle-test', workflowId: 'bundle-test-contact', args: [{ campaignId: 'c', contactId: 1 }],
    }),
  );
  await expect(run).rejects.toBeInstanceOf(WorkflowFailedError);
  await expect(run).rejects.toMatchObject({ cause: { message: 'contact 1 does not exist' } });
  expect(plans).toBe(1);
});

test('the workflow context takes no stack traces (workflows/preloadedLibraries.ts); the main context keeps its own', async () => {
  const codePath = path.join(dir, 'workflow-bundle.js');
  await buildWorkflowBundle(codePath);
  let started!: () => void;
  const running = new Promise<void>((resolve) => { started = resolve; });
  let release!: () => void;
  const released = new Promise<void>((resolve) => { release = resolve; });
  const worker = await Worker.create({
    connection: env.nativeConnection,
    taskQueue: 'bundle-stack-test',
    workflowBundle: { codePath },
    activities: {
      ...Object.fromEntries(['plan', 'openAndGate'].map((name) => [name, async () => {
        started();
        await released;
        throw ApplicationFailure.create({ type: 'ContactNotFoundError', message: 'contact 2 does not exist' });
      }])),
    },
  });
  const stacks = await worker.runUntil(async () => {
    const handle = await env.client.workflow.start('contactWorkflow', {
      taskQueue: 'bundle-stack-test', workflowId: 'bundle-stack-test-contact', args: [{ campaignId: 'c', contactId: 2 }],
    });
    await running;
    const answer = await handle.query<string>('__stack_trace');
    release();
    await expect(handle.result()).rejects.toBeInstanceOf(WorkflowFailedError);
    return answer;
  });
  // The query still answers, with no frames: with the default limit it named
  // scheduleLocalActivity and the contact workflow's lines awaiting the first step.
  expect(typeof stacks).toBe('string');
  expect(stacks).not.toMatch(/\bat\b/);
  expect(stacks).not.toContain('contactWorkflow');
  expect(Error.stackTraceLimit).toBeGreaterThan(0);
  expect(new Error('here').stack).toMatch(/\n\s+at /);
});

test('the bundle evaluates luxon and zod once per worker thread, in its preloaded module', async () => {
  const codePath = path.join(dir, 'workflow-bundle.js');
  await buildWorkflowBundle(codePath);
  const code = readFileSync(codePath, 'utf8');
  expect(code).toMatch(/preloadModules\(\) \{\s*__webpack_require__\([^)]*"\.\/workflows\/preloadedLibraries\.ts"\)/);
  const start = code.indexOf('/***/ "./workflows/preloadedLibraries.ts"');
  expect(start).toBeGreaterThan(-1);
  const preloaded = code.slice(start, code.indexOf('/***/ },', start));
  expect(preloaded).toContain('__webpack_require__(/*! luxon */ "./node_modules/luxon/');
  expect(preloaded).toContain('__webpack_require__(/*! zod */ "./node_modules/zod/');
  expect(preloaded).toContain('Error.stackTraceLimit = 0');
});
