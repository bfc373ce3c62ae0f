// Unit tests sit next to the code; integration tests under test/ need the stack that
// scripts/test.sh starts (real Postgres, real Temporal). The API's tests (apps/api/test) need
// the stack too, and are compiled with the API's own tsconfig (decorator metadata).
// `npm test` runs all three.
const transform = { '^.+\\.ts$': ['ts-jest', { diagnostics: false }] };

/** @type {import('jest').Config} */
module.exports = {
  projects: [
    {
      displayName: 'unit',
      testEnvironment: 'node',
      transform,
      roots: ['<rootDir>/apps', '<rootDir>/domain', '<rootDir>/workflows', '<rootDir>/activities', '<rootDir>/adapters', '<rootDir>/imports', '<rootDir>/common'],
      testMatch: ['**/*.test.ts'],
      testPathIgnorePatterns: ['/node_modules/', '<rootDir>/apps/api/'],
    },
    {
      displayName: 'integration',
      testEnvironment: 'node',
      transform,
      roots: ['<rootDir>/test'],
      testMatch: ['**/*.test.ts'],
    },
    {
      displayName: 'api',
      testEnvironment: 'node',
      transform: { '^.+\\.ts$': ['ts-jest', { diagnostics: false, tsconfig: '<rootDir>/apps/api/tsconfig.json' }] },
      roots: ['<rootDir>/apps/api'],
      testMatch: ['**/*.test.ts'],
    },
  ],
};
