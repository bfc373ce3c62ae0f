// @ts-check
// Lint for the whole repo, with Temporal's rule for workflow code (as in
// temporalio/samples-typescript): the workflow sandbox has no Node built-ins and no I/O, so
// workflows/ and the pure rules they import from domain/ may not import them.
import { builtinModules } from 'node:module';
import js from '@eslint/js';
import tseslint from 'typescript-eslint';

const ALLOWED_NODE_BUILTINS = new Set(['assert']);
const forbiddenInSandbox = [
  ...builtinModules.filter((m) => !ALLOWED_NODE_BUILTINS.has(m)).flatMap((m) => [m, `node:${m}`]),
  // I/O clients: only activities and adapters talk to the outside.
  'pg', 'ws', 'pino', '@temporalio/client', '@temporalio/worker', '@temporalio/activity',
];

export default tseslint.config(
  { ignores: ['**/node_modules/**', 'dist/**', '**/*.js', '**/*.mjs', '**/*.cjs'] },
  {
    files: ['**/*.ts'],
    extends: [js.configs.recommended, ...tseslint.configs.recommended],
    languageOptions: {
      parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname },
    },
    rules: {
      // A promise nobody awaits is a step that may silently not happen (or a workflow command
      // issued out of order).
      '@typescript-eslint/no-floating-promises': 'error',
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_', destructuredArrayIgnorePattern: '^_' }],
      '@typescript-eslint/no-explicit-any': 'error',
    },
  },
  {
    // Tests read loosely typed JSON (ARI's answers, GraphQL results) field by field.
    files: ['**/*.test.ts', 'test/**/*.ts', 'apps/*/test/**/*.ts'],
    rules: { '@typescript-eslint/no-explicit-any': 'off' },
  },
  {
    files: ['workflows/**/*.ts', 'domain/**/*.ts', 'test/workflows/**/*.ts', 'bench/bareShape/workflows.ts'],
    // Tests and their helpers run outside the sandbox.
    ignores: ['**/*.test.ts', 'workflows/testing/**'],
    rules: {
      'no-restricted-imports': ['error', ...forbiddenInSandbox],
    },
  },
  {
    // Strategy workflows reach calls only through the contact step library's public face
    // (workflows/contactSteps/index.ts), which puts the gate, the caps and the proof row in front
    // of every call: no activity proxies of their own, none of the library's inner modules.
    files: ['workflows/strategies/**/*.ts'],
    ignores: ['**/*.test.ts'],
    rules: {
      'no-restricted-imports': ['error', {
        paths: [
          ...forbiddenInSandbox,
          {
            name: '@temporalio/workflow',
            importNames: ['proxyActivities', 'proxyLocalActivities'],
            message: 'a strategy workflow calls through workflows/contactSteps (attemptCall), never an activity of its own',
          },
        ],
        patterns: [{
          group: ['**/contactSteps/*'],
          message: 'import the step library from workflows/contactSteps (its index), not its inner modules',
        }],
      }],
    },
  },
);
