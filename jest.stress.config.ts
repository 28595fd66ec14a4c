import type { Config } from 'jest';
import base from './jest.config';

/** `npm run test:stress`: the long runs (fuzzing, faults), against the same real PostgreSQL as `npm test`. */
const config: Config = {
  ...base,
  testMatch: ['**/*.stress.test.ts'],
  testPathIgnorePatterns: ['/node_modules/'],
  testTimeout: 600_000,
};

export default config;
