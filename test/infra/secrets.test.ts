import { Template } from 'aws-cdk-lib/assertions';
import { describe, expect, it } from 'vitest';
import { resourcesOfType, useSynthesizedApp } from './synthesizedApp.js';

/** Shapes of real credentials: Slack tokens, signing secrets (hex), Entra client secrets, AWS keys, private keys. */
const SECRET_LOOKING = [
  /xox[abposr]-[\w-]{10,}/,
  /xapp-[\w-]{10,}/,
  /\b[0-9a-f]{32,}\b/,
  /[\w.-]{3,}~[\w.~-]{20,}/,
  /AKIA[0-9A-Z]{16}/,
  /-----BEGIN [A-Z ]*PRIVATE KEY-----/,
];
const SECRET_NAMED = /secret|token|password|signing|credential|apikey|api_key/i;

/** Every string literal in the template, with its JSON path. */
function strings(value: unknown, at = '$'): [string, string][] {
  if (typeof value === 'string') return [[at, value]];
  if (Array.isArray(value)) return value.flatMap((v, i) => strings(v, `${at}[${i}]`));
  if (value && typeof value === 'object')
    return Object.entries(value).flatMap(([k, v]) => strings(v, `${at}.${k}`));
  return [];
}

const s = useSynthesizedApp();

describe('no plaintext secrets', () => {
  it('creates the secrets without any value', () => {
    // Arrange
    const secrets = resourcesOfType(s.json, 'AWS::SecretsManager::Secret');

    // Assert
    expect(secrets.map(([, p]) => p.Name)).toEqual([
      'LightsOut/slack',
      'LightsOut/teams',
      'LightsOut/webhook',
    ]);
    for (const [, props] of secrets) {
      expect(props).not.toHaveProperty('SecretString');
      expect(props).not.toHaveProperty('GenerateSecretString');
    }
  });

  it('passes secrets to functions only as Secrets Manager ARNs', () => {
    // Arrange
    const env = resourcesOfType(s.json, 'AWS::Lambda::Function').flatMap(([fn, p]) =>
      Object.entries((p.Environment as { Variables?: Record<string, unknown> })?.Variables ?? {}).map(
        ([k, v]) => [fn, k, v] as const,
      ),
    );

    // Act
    const secretNamed = env.filter(([, k]) => SECRET_NAMED.test(k));

    // Assert
    expect(secretNamed.length).toBeGreaterThan(0);
    for (const [fn, key, value] of secretNamed) {
      expect(key, `${fn}.${key}`).toMatch(/_SECRET_ARN$/);
      expect(value, `${fn}.${key}`).toEqual({ Ref: expect.stringMatching(/^Secrets/) });
    }
  });

  it('contains no string shaped like a credential anywhere in the templates', () => {
    // Arrange
    const templates = [s.json, ...s.stacks.forwarders.map((f) => Template.fromStack(f).toJSON())];

    // Act
    const hits = templates
      .flatMap((t) => strings(t))
      .filter(([, v]) => SECRET_LOOKING.some((re) => re.test(v)))
      // CDK's asset hashes (S3 keys) are hex digests of code, not secrets.
      .filter(([path]) => !/\.S3Key$/.test(path));

    // Assert
    expect(hits).toEqual([]);
  });
});
