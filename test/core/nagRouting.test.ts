import { describe, expect, it } from 'vitest';
import { describeRouting, mergeRouting, plainTarget, routeNag } from '../../src/core/nagRouting.js';

const sent = (routing: Parameters<typeof routeNag>[0], reachable = true) =>
  [1, 2, 3, 4, 5, 6, 7].map((n) => {
    const d = routeNag(routing, n, reachable);
    return `${d.owner ? 'O' : '-'}${d.channel ? 'C' : '-'}${d.broadcast ? 'B' : '-'}${d.mention.length ? 'M' : '-'}`;
  });

describe('who a nag reaches', () => {
  it('sends every nag to the channel by default, broadcasting every third repeat', () => {
    expect(sent({})).toEqual(['-C--', '-C--', '-C--', '-CB-', '-C--', '-C--', '-CB-']);
  });

  it('sends to the owner only with route owner, and to the channel when the owner cannot be reached', () => {
    expect(sent({ route: 'owner', broadcastEvery: 0 })).toEqual(Array(7).fill('O---'));
    const unreachable = routeNag({ route: 'owner' }, 1, false);
    expect(unreachable).toMatchObject({ owner: false, channel: true });
    expect(unreachable.reason).toMatch(/owner cannot be reached: the channel instead/);
  });

  it('adds the channel from the escalate-after nag on, and mentions the target from then', () => {
    // Act
    const decisions = sent({
      route: 'owner-then-channel',
      escalateAfter: 3,
      escalateTo: [{ kind: 'here' }],
      broadcastEvery: 2,
    });

    // Assert
    expect(decisions).toEqual(['O---', 'O---', 'OCBM', 'OC-M', 'OCBM', 'OC-M', 'OCBM']);
    expect(routeNag({ route: 'owner-then-channel' }, 2, true).reason).toBe(
      'route owner-then-channel: nag 2 < 3, the owner only',
    );
  });

  it('merges a change into stored settings: given fields replace, an empty mention list clears', () => {
    const stored = { route: 'owner' as const, escalateTo: [{ kind: 'here' as const }], broadcastEvery: 2 };
    expect(mergeRouting(stored, { escalateAfter: 4 })).toEqual({ ...stored, escalateAfter: 4 });
    expect(mergeRouting(stored, { escalateTo: [], route: 'channel' })).toEqual({
      route: 'channel',
      broadcastEvery: 2,
    });
  });

  it('describes the settings for subscription listings', () => {
    expect(
      describeRouting(
        { route: 'owner-then-channel', escalateTo: [{ kind: 'user-group', id: 'S0OPS' }, { kind: 'here' }] },
        plainTarget,
      ),
    ).toBe('owner-then-channel, escalate after 3, mention S0OPS, @here, broadcast every 3rd repeat');
    expect(describeRouting({ broadcastEvery: 0 }, plainTarget)).toBe('channel, no broadcast');
  });
});
