import type { Config } from 'jest';

const config: Config = {
  testEnvironment: 'node',
  roots: ['<rootDir>/src', '<rootDir>/migrations'],
  transform: { '^.+\\.ts$': ['ts-jest', { tsconfig: 'tsconfig.json' }] },
  // Starts one real PostgreSQL (embedded, or DATABASE_URL) and migrates a template database once.
  globalSetup: '<rootDir>/src/test/global-setup.ts',
  globalTeardown: '<rootDir>/src/test/global-teardown.ts',
  // Each test file gets its own database cloned from the template.
  setupFilesAfterEnv: ['<rootDir>/src/test/database.ts'],
  // Generous: the property tests send hundreds of requests, and a busy 2-core machine runs files side by side.
  testTimeout: 90_000,
  // The longer fault and load tests run with `npm run test:stress` (jest.stress.config.ts).
  testPathIgnorePatterns: ['/node_modules/', '\\.(stress|cluster)\\.test\\.ts$'],
};

export default config;
