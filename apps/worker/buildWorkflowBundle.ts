import { bundleWorkflowCode } from '@temporalio/worker';
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { encodingFailureConverterPath } from '../../adapters/temporal/connections';
import { WORKFLOW_PRELOAD_MODULES } from './workflowPreload';

// Bundles the workflow code once, ahead of time (the Docker image does it at build time), so a
// worker starts without webpack and every worker of a release runs byte-identical workflow
// code. The worker loads it when WORKFLOW_BUNDLE_PATH names the file.
//
//   npm run build:workflows -- [out=dist/workflow-bundle.js]

export async function buildWorkflowBundle(outFile: string): Promise<void> {
  const { code } = await bundleWorkflowCode({ workflowsPath: require.resolve('../../workflows'), failureConverterPath: encodingFailureConverterPath(),
    preloadModules: WORKFLOW_PRELOAD_MODULES,
  });
  mkdirSync(path.dirname(outFile), { recursive: true });
  writeFileSync(outFile, code);
}

if (require.main === module) {
  const out = path.resolve(process.argv[2] ?? 'dist/workflow-bundle.js');
  buildWorkflowBundle(out).then(
    () => process.stdout.write(`wrote ${out}\n`),
    (err: unknown) => {
      process.stderr.write(`build:workflows: ${err instanceof Error ? err.message : String(err)}\n`);
      process.exitCode = 1;
    },
  );
}
