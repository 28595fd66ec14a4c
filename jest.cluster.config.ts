import type { Config } from 'jest';

/**
 * `npm run test:cluster`: the scaled-out topology (src/test/cluster) started for real: PostgreSQL streaming
 * replication, PgBouncer, API instances from the build, HAProxy. It starts its own PostgreSQL, so none of
 * the ordinary suite's database setup runs.
 */
const config: Config = {
  testEnvironment: 'node',
  roots: ['<rootDir>/src'],
  transform: { '^.+\\.ts$': ['ts-jest', { tsconfig: 'tsconfig.json' }] },
  testMatch: ['**/*.cluster.test.ts'],
  testTimeout: 180_000,
  maxWorkers: 1,
};

export default config;
