import { readdirSync } from 'node:fs';
import { CONTACT_WORKFLOW_TYPE_NAMES } from '../../domain/strategies/workflowTypes';
import * as bundled from '../index';

// A contact workflow type is registered in two places: its name for campaigns
// (domain/strategies/workflowTypes.ts) and its export for the worker (workflows/index.ts).
// A name without an export would start contacts no worker can run; a folder without either is
// a strategy workflow no campaign can choose.

test('every registered contact workflow type is a workflow the worker bundles', () => {
  for (const name of CONTACT_WORKFLOW_TYPE_NAMES) {
    expect({ name, exported: typeof (bundled as Record<string, unknown>)[name] }).toEqual({ name, exported: 'function' });
  }
});

test('every strategy workflow folder is registered under its folder\'s name', () => {
  const folders = readdirSync(__dirname, { withFileTypes: true }).filter((e) => e.isDirectory()).map((e) => e.name);
  expect(folders.length).toBeGreaterThan(0);
  for (const name of folders) expect({ name, registered: (CONTACT_WORKFLOW_TYPE_NAMES as string[]).includes(name) }).toEqual({ name, registered: true });
});
