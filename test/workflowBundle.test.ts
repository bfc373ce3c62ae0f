import { Worker } from '@temporalio/worker';
import { ApplicationFailure } from '@temporalio/common';
import { mkdtempSync, rmSync } from 'node:fs';
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
      // The contact was deleted: the bundled workflow's policy must not retry this.
      plan: async () => {
        plans++;
        throw ApplicationFailure.create({ type: 'ContactNotFoundError', message: 'contact 1 does not exist' });
      },
    },
  });
  const run = worker.runUntil(
    env.client.workflow.execute('contactWorkflow', {
      taskQueue: 'bundle-test', workflowId: 'bundle-test-contact', args: [{ campaignId: 'c', contactId: 1 }],
    }),
  );
  await expect(run).rejects.toBeInstanceOf(WorkflowFailedError);
  expect(plans).toBe(1);
});
