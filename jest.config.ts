import type { Config } from 'jest';

const config: Config = {
  testEnvironment: 'node',
  roots: ['<rootDir>/src', '<rootDir>/migrations'],
  transform: { '^.+\\.ts$': ['ts-jest', { tsconfig: 'tsconfig.json' }] },
  // The Relay tests compile their documents into node_modules/.cache/relay-artifacts (src/clients/relay): TypeScript to transform.
  transformIgnorePatterns: ['/node_modules/(?!\\.cache/relay-artifacts/)'],
  // Starts one real PostgreSQL (embedded, or DATABASE_URL) and migrates a template database once.
  globalSetup: '<rootDir>/src/test/global-setup.ts',
  globalTeardown: '<rootDir>/src/test/global-teardown.ts',
  // Each test file gets its own database cloned from the template.
  setupFilesAfterEnv: ['<rootDir>/src/test/database.ts'],
  // Generous: the property tests send hundreds of requests, and a busy 2-core machine runs files side by side.
  testTimeout: 90_000,
  // The longer fault and load tests run with `npm run test:stress` (jest.stress.config.ts), the tests that
  // drive a real Chromium with `npm run test:browser` (src/test/browser.ts says why), and the scaled-out
  // topology's with `npm run test:cluster` (jest.cluster.config.ts).
  testPathIgnorePatterns: ['/node_modules/', '\\.stress\\.test\\.ts$', '\\.browser\\.test\\.ts$', '\\.cluster\\.test\\.ts$'],
};

export default config;
