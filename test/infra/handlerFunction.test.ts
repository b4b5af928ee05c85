import { createSign, createVerify, generateKeyPairSync } from 'node:crypto';
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { App } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { NodejsFunction } from 'aws-cdk-lib/aws-lambda-nodejs';
import { describe, expect, it } from 'vitest';
import {
  bundleOptions,
  OPTIONAL_EXTERNALS,
  PROJECT_ROOT,
  REPLACED_ON_LAMBDA,
  UNUSED_ON_LAMBDA,
  UNUSED_ON_LAMBDA_STUB,
} from '../../infra/lib/bundling.js';
import { buildLightsOut } from '../../infra/lib/lightsOutApp.js';
import { TEST_SETTINGS } from './synthesizedApp.js';

describe('production bundling path', () => {
  it('builds the engine functions as NodejsFunctions with the ESM index.handler entry', () => {
    // Arrange: the CDK skips the esbuild step itself for stacks outside bundling-stacks.
    const app = new App({
      context: { 'aws:cdk:bundling-stacks': [] },
      stackTraces: false,
      builtinCloudFormationValidation: false,
    });

    // Act
    const { main } = buildLightsOut(app, {
      settings: TEST_SETTINGS,
      features: ['monitoring'],
      bundling: 'esbuild',
      account: '123456789012',
      nagChecks: false,
    });
    const template = Template.fromStack(main);

    // Assert
    expect(main.monitoring.stateChange.fn).toBeInstanceOf(NodejsFunction);
    const fns = Object.values(template.findResources('AWS::Lambda::Function'));
    expect(fns).toHaveLength(6);
    for (const fn of fns) {
      expect(fn.Properties).toMatchObject({
        Handler: 'index.handler',
        Runtime: 'nodejs24.x',
        Architectures: ['arm64'],
      });
      expect(fn.Properties.Environment.Variables.NODE_OPTIONS).toBe('--enable-source-maps');
      expect(fn.Properties.Code.S3Key).toMatch(/\.zip$/);
    }
  });
});

describe('bundle options', () => {
  it('keeps the runtime AWS SDK external unless bundleAwsSdk is set', () => {
    expect(bundleOptions().external).toEqual(['@aws-sdk/*', ...OPTIONAL_EXTERNALS]);
    expect(bundleOptions({ bundleAwsSdk: true }).external).toEqual(OPTIONAL_EXTERNALS);
    expect(bundleOptions()).toMatchObject({ format: 'esm', target: 'node24', minify: true, sourcemap: true });
  });

  it("turns a published signing key into a PEM that verifies its signatures, with jose's Lambda stand-in", async () => {
    // Arrange
    const shim = createRequire(import.meta.url)(path.join(PROJECT_ROOT, REPLACED_ON_LAMBDA.jose!));
    const { publicKey, privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
    const signature = createSign('RSA-SHA256').update('token').sign(privateKey);
    const jwk = { ...publicKey.export({ format: 'jwk' }), kid: 'k1', use: 'sig', alg: 'RS256', ext: true };

    // Act
    const key = await shim.importJWK(jwk, 'RS256');
    const pem = await shim.exportSPKI(key);

    // Assert
    expect(key.type).toBe('public');
    expect(createVerify('RSA-SHA256').update('token').verify(pem, signature)).toBe(true);
    expect(() => shim.decodeJwt('x')).toThrow(/not bundled/);
  });

  it("answers jsonwebtoken's Node version checks with semver's Lambda stand-in, and refuses anything else", () => {
    // Arrange
    const shim = createRequire(import.meta.url)(path.join(PROJECT_ROOT, REPLACED_ON_LAMBDA.semver!));
    const jsonwebtokenAsks = ['>=15.7.0', '^6.12.0 || >=8.0.0', '>=16.9.0'];

    // Act
    const onLambda = jsonwebtokenAsks.map((range) => shim.satisfies('v24.1.0', range));
    const onOldNode = jsonwebtokenAsks.map((range) => shim.satisfies('v6.11.5', range));

    // Assert
    expect(onLambda).toEqual([true, true, true]);
    expect(onOldNode).toEqual([false, false, false]);
    expect(shim.satisfies('v6.12.0', '^6.12.0 || >=8.0.0')).toBe(true);
    expect(shim.satisfies('v7.0.0', '^6.12.0 || >=8.0.0')).toBe(false);
    expect(() => shim.satisfies('v24.1.0', '~1.2.3')).toThrow(
      /not bundled into Lights Out's Lambda functions/,
    );
    expect(() => shim.coerce('24')).toThrow(/semverOnLambda\.cjs/);
  });

  it('hides a conversation id behind the same HMAC-SHA256 as @noble/hashes with its Lambda stand-in, and refuses another hash', () => {
    // Arrange
    const load = createRequire(import.meta.url);
    const shim = load(path.join(PROJECT_ROOT, REPLACED_ON_LAMBDA['@noble/hashes/hmac']!));
    const noble = {
      ...load('@noble/hashes/hmac'),
      ...load('@noble/hashes/sha2'),
      ...load('@noble/hashes/utils'),
    };
    const redact = (h: typeof noble, key: string) =>
      h.bytesToHex(h.hmac(h.sha256, h.utf8ToBytes(key), h.utf8ToBytes('19:abc@thread.tacv2;messageid=1')));

    // Act
    const onLambda = redact(shim, 'per-process key');
    const asNoble = redact(noble, 'per-process key');

    // Assert
    expect(onLambda).toBe(asNoble);
    expect(REPLACED_ON_LAMBDA['@noble/hashes/sha2']).toBe(REPLACED_ON_LAMBDA['@noble/hashes/hmac']);
    expect(REPLACED_ON_LAMBDA['@noble/hashes/utils']).toBe(REPLACED_ON_LAMBDA['@noble/hashes/hmac']);
    expect(() => shim.hmac(noble.sha256, shim.utf8ToBytes('k'), shim.utf8ToBytes('m'))).toThrow(
      /nobleHashesOnLambda\.cjs/,
    );
  });

  it('replaces modules unused on Lambda with a stub that loads but explains itself when called', () => {
    // Arrange
    const stubFile = path.join(PROJECT_ROOT, UNUSED_ON_LAMBDA_STUB);
    const stub = createRequire(import.meta.url)(stubFile);

    // Act
    const construct = () => new stub.WebSocket('wss://example.com');

    // Assert
    expect(existsSync(stubFile)).toBe(true);
    expect(Object.keys(bundleOptions().alias).sort()).toEqual(
      [...Object.keys(UNUSED_ON_LAMBDA), ...Object.keys(REPLACED_ON_LAMBDA)].sort(),
    );
    expect(typeof stub.WebSocket).toBe('function');
    expect(construct).toThrow(/not bundled into Lights Out's Lambda functions/);
  });
});
