import { describe, expect, it } from 'vitest';
import { ownedBy, parseOwner } from '../../src/core/owner.js';
import { readTagPolicy } from '../../src/core/tagPolicy.js';

const defaults = {
  mode: 'opt-in' as const,
  defaultGroup: 'all',
  defaultThresholdSeconds: 43_200,
  defaultRenotifySeconds: 3600,
};

describe('the Owner tag', () => {
  it.each([
    ['Alice@Example.com', { kind: 'email', value: 'alice@example.com' }],
    ['U0123ABCD', { kind: 'slack-user', value: 'U0123ABCD' }],
    ['W0123ABCD', { kind: 'slack-user', value: 'W0123ABCD' }],
    ['teams:Bob@Contoso.onmicrosoft.com', { kind: 'teams-user', value: 'bob@contoso.onmicrosoft.com' }],
    [
      '0F1E2D3C-4B5A-6978-8796-A5B4C3D2E1F0',
      { kind: 'teams-user', value: '0f1e2d3c-4b5a-6978-8796-a5b4c3d2e1f0' },
    ],
  ])('reads %s as its kind of owner', (raw, owner) => {
    expect(parseOwner(raw)).toEqual({ owner });
  });

  it.each(['alice', 'u0123abcd', 'teams:bob', '<@U0123ABCD>', 'a b@example.com'])(
    'warns about %s, naming the tag key and what works, instead of failing',
    (raw) => {
      const read = parseOwner(raw, 'CreatedBy');
      expect(read.owner).toBeUndefined();
      expect(read.warning).toMatch(/^CreatedBy ".*" is not an email, a Slack user id \(U…\) or a Teams user/);
    },
  );

  it('has no owner and no warning when the tag is absent or blank', () => {
    expect(parseOwner(undefined)).toEqual({});
    expect(parseOwner('   ')).toEqual({});
  });

  it('joins the tag policy: an owner read from the configured key, a bad value as a warning on the instance', () => {
    // Act
    const good = readTagPolicy(
      { Monitor: 'true', CreatedBy: 'alice@example.com' },
      { ...defaults, ownerTag: 'CreatedBy' },
    );
    const bad = readTagPolicy({ Monitor: 'true', Owner: 'alice', Threshold: 'abc' }, defaults);
    const otherKey = readTagPolicy(
      { Monitor: 'true', Owner: 'alice@example.com' },
      { ...defaults, ownerTag: 'CreatedBy' },
    );

    // Assert
    expect(good.owner).toEqual({ kind: 'email', value: 'alice@example.com' });
    expect(good.warnings).toEqual([]);
    expect(bad.owner).toBeUndefined();
    expect(bad.warnings).toEqual([
      'Threshold "abc" is not a duration; using 12h',
      expect.stringMatching(/^Owner "alice" is not an email/),
    ]);
    expect(otherKey.owner).toBeUndefined();
  });

  it('matches a person by Slack id, by Entra object id, or by email in any case', () => {
    const alice = {
      userIds: ['U0ALICE01', '0f1e2d3c-4b5a-6978-8796-a5b4c3d2e1f0'],
      emails: ['Alice@Example.com'],
    };
    expect(ownedBy({ kind: 'slack-user', value: 'U0ALICE01' }, alice)).toBe(true);
    expect(ownedBy({ kind: 'email', value: 'alice@example.com' }, alice)).toBe(true);
    expect(ownedBy({ kind: 'teams-user', value: 'alice@example.com' }, alice)).toBe(true);
    expect(ownedBy({ kind: 'teams-user', value: '0f1e2d3c-4b5a-6978-8796-a5b4c3d2e1f0' }, alice)).toBe(true);
    expect(ownedBy({ kind: 'email', value: 'bob@example.com' }, alice)).toBe(false);
    expect(ownedBy({ kind: 'slack-user', value: 'U0BOB0001' }, alice)).toBe(false);
  });
});
