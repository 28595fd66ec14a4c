import path from 'node:path';
import type { Config } from 'jest';

// The examples' own Jest run (npm run test:examples), apart from the project's: no shared test database here.
const config: Config = {
  rootDir: __dirname,
  testEnvironment: 'node',
  testMatch: ['<rootDir>/*.integration.ts'],
  transform: { '^.+\\.ts$': ['ts-jest', { tsconfig: path.join(__dirname, '..', '..', '..', 'tsconfig.json') }] },
  testTimeout: 60_000,
};

export default config;
