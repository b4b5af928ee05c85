import { describe, expect, it } from 'vitest';
import { signWebhook, verifyWebhookSignature } from '../../../src/services/cleanup/webhookHook.js';

const SECRET = 'webhook-secret-0123456789';
const BODY = '{"event":"instance.terminated","instanceId":"i-0123456789abcdef0"}';
const SIGNED_AT = 1_800_000_000;

const verifyAt = (nowSeconds: number, toleranceSeconds?: number) =>
  verifyWebhookSignature({
    secret: SECRET,
    body: BODY,
    signature: signWebhook(SECRET, SIGNED_AT, BODY),
    timestamp: String(SIGNED_AT),
    nowSeconds,
    toleranceSeconds,
  });

describe('verifyWebhookSignature replay window', () => {
  it('accepts a correctly signed request inside the 5-minute window', () => {
    expect(verifyAt(SIGNED_AT)).toBe(true);
    expect(verifyAt(SIGNED_AT + 300)).toBe(true);
  });

  it('rejects a correctly signed request replayed after the window', () => {
    expect(verifyAt(SIGNED_AT + 301)).toBe(false);
    expect(verifyAt(SIGNED_AT + 86_400)).toBe(false);
  });

  it('rejects a timestamp too far in the future, and honours a custom tolerance', () => {
    expect(verifyAt(SIGNED_AT - 301)).toBe(false);
    expect(verifyAt(SIGNED_AT + 61, 60)).toBe(false);
    expect(verifyAt(SIGNED_AT + 60, 60)).toBe(true);
  });
});
