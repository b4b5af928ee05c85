/**
 * The runtime we deploy is the runtime we test: this suite runs in the
 * `lambda` vitest project, which `npm test` runs on the `node` dev
 * dependency's binary (`npm run test:lambda`), beside the Lambda handler and
 * integration suites.
 */
import { describe, expect, it } from 'vitest';
import { ESBUILD_TARGET, LAMBDA_NODE_MAJOR } from '../../infra/lib/bundling.js';
import { LAMBDA_RUNTIME } from '../../infra/lib/handlerFunction.js';

describe('Lambda runtime', () => {
  it('deploys nodejs24.x, bundled for node24', () => {
    expect(LAMBDA_NODE_MAJOR).toBe(24);
    expect(LAMBDA_RUNTIME.name).toBe('nodejs24.x');
    expect(ESBUILD_TARGET).toBe('node24');
  });

  it('runs the Lambda suites on that Node major (npm run test:lambda)', () => {
    expect(process.versions.node.split('.')[0]).toBe(String(LAMBDA_NODE_MAJOR));
  });
});
