/**
 * Answers only the asker should see: Teams has no ephemeral messages, so
 * they go to the asker's 1:1 chat with the bot when the app is installed in
 * their personal scope, and otherwise into the thread addressed to them.
 */
import { describe, expect, it } from 'vitest';
import { cardsOf } from '../../support/adaptiveCards.js';
import { mention, PERSONAL_CHAT, personalInstall } from './activities.js';
import { cardText, nagged, useTeamsWorld } from './teamsHarness.js';
import { OPS } from './teamsWorld.js';

const h = useTeamsWorld();

describe('Teams private answers', () => {
  it('sends private answers to the 1:1 chat when the asker has the app in personal scope', async () => {
    // Arrange
    await nagged(h);
    await h.world.post(personalInstall(h.connector.serviceUrl));
    h.connector.reset();

    // Act: a personal answer (the list) and a refusal (an unknown command), asked in the channel.
    await h.world.post(mention(h.connector.serviceUrl, 'list'));
    await h.world.post(mention(h.connector.serviceUrl, 'frobnicate'));

    // Assert
    expect(h.connector.sent.map((s) => s.conversationId)).toEqual([PERSONAL_CHAT, PERSONAL_CHAT]);
    expect(cardText(cardsOf(h.connector.sent[0]!.activity)[0])).toMatch(/web-1/);
    expect(String(h.connector.sent[1]!.activity.text)).toMatch(/unknown command "frobnicate"/);
  });

  it('welcomes once on a personal install, and answers a command sent in the 1:1 chat there', async () => {
    // Act
    await h.world.post(personalInstall(h.connector.serviceUrl));
    await h.world.post(personalInstall(h.connector.serviceUrl));
    await h.world.post({ ...personalInstall(h.connector.serviceUrl), type: 'message', text: 'help' });

    // Assert
    expect(h.connector.sent.map((s) => s.conversationId)).toEqual([PERSONAL_CHAT, PERSONAL_CHAT]);
    expect(String(h.connector.sent[0]!.activity.text)).toMatch(/Lights Out is here/);
    expect(String(h.connector.sent[1]!.activity.text)).toMatch(/Lights Out commands/);
  });

  it('falls back to the thread with an @mention of the asker when there is no 1:1 chat', async () => {
    // Arrange
    await nagged(h);
    h.connector.reset();
    const asked = mention(h.connector.serviceUrl, 'list');

    // Act
    await h.world.post(asked);

    // Assert
    const reply = h.connector.sent[0]!;
    expect(reply.conversationId).toBe(`${OPS};messageid=${asked.id}`);
    expect(reply.activity.text).toBe('<at>Alice Example</at>');
    expect(reply.activity.entities).toEqual([
      {
        type: 'mention',
        text: '<at>Alice Example</at>',
        mentioned: { id: '29:alice-teams-id', name: 'Alice Example' },
      },
    ]);
    expect(cardText(cardsOf(reply.activity)[0])).toMatch(/web-1/);
  });

  it('keeps answers meant for the channel in the thread, without an @mention, even with a 1:1 chat', async () => {
    // Arrange
    await nagged(h);
    await h.world.post(personalInstall(h.connector.serviceUrl));
    h.connector.reset();
    const asked = mention(h.connector.serviceUrl, 'list --public');

    // Act
    await h.world.post(asked);

    // Assert
    expect(h.connector.sent.map((s) => s.conversationId)).toEqual([`${OPS};messageid=${asked.id}`]);
    expect(h.connector.sent[0]!.activity.entities ?? []).toEqual([]);
  });
});
