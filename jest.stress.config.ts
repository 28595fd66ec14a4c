import type { Config } from 'jest';
import base from './jest.config';

/** `npm run test:stress`: the long runs (faults, load, fuzzing), on the same real PostgreSQL setup as `npm test`. */
const config: Config = {
  ...base,
  testMatch: ['**/*.stress.test.ts'],
  testPathIgnorePatterns: ['/node_modules/'],
  testTimeout: 180_000,
  // One file at a time: they measure the server under load, and the machine is small.
  maxWorkers: 1,
};

export default config;
