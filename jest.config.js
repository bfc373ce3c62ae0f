// Unit tests sit next to the code; integration tests under test/ need the stack that
// scripts/test.sh starts (real Postgres, real Temporal). `npm test` runs both.
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
    },
    {
      displayName: 'integration',
      testEnvironment: 'node',
      transform,
      roots: ['<rootDir>/test'],
      testMatch: ['**/*.test.ts'],
    },
  ],
};
