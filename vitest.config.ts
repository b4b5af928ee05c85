import { defineConfig } from 'vitest/config';

/**
 * The suites that exercise Lambda handlers run on the runtime the stack deploys
 * (nodejs24.x, infra/lib/bundling.ts): `npm test` runs this project with the
 * `node` dev dependency's binary. They must not open SQLite, whose native
 * build is for the machine's Node, on which every other suite runs.
 */
const LAMBDA_SUITES = ['test/lambda/**/*.test.ts', 'test/integration/**/*.test.ts'];

// Integration suites each start their own moto_server on a free loopback port,
// so files can run in parallel; two workers match the 2-core CI machine.
export default defineConfig({
  test: {
    reporters: ['default', './test/support/summaryReporter.ts'],
    environment: 'node',
    pool: 'forks',
    maxWorkers: 2,
    testTimeout: 30_000,
    hookTimeout: 60_000,
    projects: [
      {
        extends: true,
        test: { name: 'machine', include: ['test/**/*.test.ts'], exclude: LAMBDA_SUITES },
      },
      { extends: true, test: { name: 'lambda', include: LAMBDA_SUITES } },
    ],
  },
});
