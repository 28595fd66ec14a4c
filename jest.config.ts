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
  testTimeout: 30_000,
  // Long runs (*.stress.test.ts) have their own command: npm run test:stress (jest.stress.config.ts).
  testPathIgnorePatterns: ['/node_modules/', '\\.stress\\.test\\.ts$'],
};

export default config;
