import { TestWorkflowEnvironment, type TimeSkippingTestWorkflowEnvironmentOptions } from '@temporalio/testing';
import { execFileSync } from 'node:child_process';
import { accessSync, constants } from 'node:fs';
import path from 'node:path';

// A time-skipping TestWorkflowEnvironment for tests that wait days or weeks. The SDK would
// download its test server from GitHub, which this machine cannot reach; instead it runs the Java
// test server from Maven Central through the wrapper that scripts/temporal-test-server.sh writes
// (the SDK runs it as `<wrapper> <port> [extraArgs...]` and kills it on teardown).
//
// Each call starts its own server on a free port, so test files running in parallel don't share
// state. Always `await env.teardown()` (in afterAll): that kills the JVM.

const SCRIPT = path.resolve(__dirname, '../scripts/temporal-test-server.sh');
/** Attempts at starting a server: the SDK gives it 5 s, which a loaded machine can miss. */
const START_ATTEMPTS = 3;

let cachedPath: string | undefined;

/**
 * The wrapper's path: $TEMPORAL_TEST_SERVER_PATH if set (the test script runs the install once),
 * else what `bash scripts/temporal-test-server.sh` prints (installs on first use: ~30 s).
 */
export function testServerPath(): string {
  if (cachedPath) return cachedPath;
  const fromEnv = process.env.TEMPORAL_TEST_SERVER_PATH;
  if (fromEnv) {
    try {
      accessSync(fromEnv, constants.X_OK);
    } catch {
      throw new Error(
        `TEMPORAL_TEST_SERVER_PATH=${fromEnv} is not an executable file; unset it, or run ` +
          '`bash scripts/temporal-test-server.sh` and use the path it prints',
      );
    }
    cachedPath = fromEnv;
    return fromEnv;
  }
  let out: string;
  try {
    // stderr inherited: the script's progress (and, on failure, its error naming the log) shows.
    out = execFileSync('bash', [SCRIPT, 'ensure'], {
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'inherit'],
      timeout: 15 * 60_000,
    });
  } catch (err) {
    throw new Error(`bash ${SCRIPT} failed (see its messages above): ${(err as Error).message}`);
  }
  const printed = out.trim().split('\n').pop() ?? '';
  if (!printed) throw new Error(`bash ${SCRIPT} printed no path`);
  cachedPath = printed;
  return printed;
}

/**
 * Starts a Java time-skipping test server of its own and connects to it. `options` go to
 * `TestWorkflowEnvironment.createTimeSkipping` (the executable is always the wrapper).
 */
export async function createTimeSkippingEnv(
  options: TimeSkippingTestWorkflowEnvironmentOptions = {},
): Promise<TestWorkflowEnvironment> {
  const executable = { type: 'existing-path' as const, path: testServerPath() };
  let lastError: unknown;
  for (let attempt = 1; attempt <= START_ATTEMPTS; attempt++) {
    try {
      return await TestWorkflowEnvironment.createTimeSkipping({
        ...options,
        server: { ...options.server, executable },
      });
    } catch (err) {
      // Start-up failures: the JVM did not answer within the SDK's 5 s (CPU contention when
      // several test files start servers at once) or lost its free port to someone else.
      lastError = err;
      if (attempt < START_ATTEMPTS) {
        process.stderr.write(
          `[timeSkipping] test server start ${attempt}/${START_ATTEMPTS} failed, retrying: ${(err as Error)?.message ?? err}\n`,
        );
        await new Promise((resolve) => setTimeout(resolve, 500 * attempt));
      }
    }
  }
  throw new Error(
    `the Temporal test server (${executable.path}) did not start after ${START_ATTEMPTS} attempts; ` +
      `run \`${executable.path} 7299\` by hand to see why. Last error: ${(lastError as Error)?.message ?? lastError}`,
    { cause: lastError },
  );
}
