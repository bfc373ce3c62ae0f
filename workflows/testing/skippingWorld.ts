import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { bundleWorkflowCode, DefaultLogger, Runtime, type WorkflowBundleWithSourceMap } from '@temporalio/worker';
import { createTimeSkippingEnv } from '../../test/timeSkipping';

// What every workflow test file starts with: a time-skipping test server of its own and one
// bundle of the real workflows (webpack takes seconds, a worker per test milliseconds).

export interface SkippingWorld {
  env: TestWorkflowEnvironment;
  bundle: WorkflowBundleWithSourceMap;
}

/** Registers beforeAll/afterAll for the file and gives its world, filled once beforeAll has run. */
export function useSkippingWorld(): SkippingWorld {
  const world = {} as SkippingWorld;
  beforeAll(async () => {
    // Failed activities and workflows are what these tests are about: their warnings are noise.
    Runtime.install({
      logger: new DefaultLogger('ERROR'),
      telemetryOptions: { logging: { filter: { core: 'ERROR', other: 'ERROR' } } },
    });
    [world.env, world.bundle] = await Promise.all([
      createTimeSkippingEnv(),
      bundleWorkflowCode({ workflowsPath: require.resolve('../index'), logger: new DefaultLogger('ERROR') }),
    ]);
  }, 15 * 60_000); // a first run on a machine fetches the test server with Maven (~30 s)
  afterAll(async () => {
    await world.env?.teardown();
  });
  return world;
}
