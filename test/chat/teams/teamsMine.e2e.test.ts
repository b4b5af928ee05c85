/**
 * `mine` in Teams, end to end through the CloudAdapter: the caller's Entra
 * object id, or the email and UPN the connector's members API reports for
 * them, matched against the instances' Owner tags; the answer carries each
 * instance's card with its buttons.
 */
import { describe, expect, it } from 'vitest';
import { cardsOf } from '../../support/adaptiveCards.js';
import { mention } from './activities.js';
import { findAction, useTeamsWorld } from './teamsHarness.js';
import { ALICE, OPS } from './teamsWorld.js';

const h = useTeamsWorld();

describe('mine in Teams', () => {
  it('lists the instances tagged with the caller’s object id or the email Teams knows for them, with buttons', async () => {
    // Arrange
    h.connector.members.set(OPS, [
      {
        id: '29:alice',
        name: 'Alice',
        aadObjectId: ALICE,
        userPrincipalName: 'alice@contoso.onmicrosoft.com',
        email: 'alice@example.com',
      },
    ]);
    await h.world.launch({ Name: 'by-email', Owner: 'alice@example.com' });
    await h.world.launch({ Name: 'by-upn', Owner: 'teams:Alice@contoso.onmicrosoft.com' });
    await h.world.launch({ Name: 'by-id', Owner: ALICE });
    await h.world.launch({ Name: 'not-hers', Owner: 'bob@example.com' });

    // Act
    const res = await h.world.post(mention(h.connector.serviceUrl, 'mine'));

    // Assert
    expect(res.status).toBe(200);
    expect(h.connector.memberLookups).toEqual([`${OPS} ${ALICE}`]);
    // A title card, then one card per instance with its own buttons.
    const [title, ...cards] = cardsOf(h.connector.sent.at(-1)!.activity);
    expect(JSON.stringify(title)).toContain('Your running instances (Owner tag)');
    const names = cards.map((c) =>
      ['by-email', 'by-upn', 'by-id'].find((n) => JSON.stringify(c).includes(n)),
    );
    expect(names.sort()).toEqual(['by-email', 'by-id', 'by-upn']);
    expect(JSON.stringify(cards)).not.toContain('not-hers');
    for (const c of cards) expect(findAction(c, 'Yes, stop it')).toBeDefined();
  });

  it('says how to tag when nothing names the caller', async () => {
    // Act
    await h.world.post(mention(h.connector.serviceUrl, 'mine'));

    // Assert
    const text = JSON.stringify(cardsOf(h.connector.sent.at(-1)!.activity)[0]);
    // Card text escapes `<` as `\<`.
    expect(text).toContain('No running instance has an Owner tag naming you. Tag yours Owner=');
    expect(text).toContain('your email or UPN (teams:');
  });
});
