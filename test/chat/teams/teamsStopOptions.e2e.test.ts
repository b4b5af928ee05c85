/**
 * Hibernate and stop protection over Teams, end to end through the real
 * CloudAdapter: nag cards, Action.Execute clicks and `@Lights Out stop …`,
 * with EC2 on moto (which implements `HibernationOptions` and `DisableApiStop`).
 */
import { ModifyInstanceAttributeCommand } from '@aws-sdk/client-ec2';
import { describe, expect, it } from 'vitest';
import { buildNagNotification } from '../../../src/core/notification.js';
import { cardsOf } from '../../support/adaptiveCards.js';
import { execute, mention } from './activities.js';
import { cardText, findAction, subscribeOps, useTeamsWorld } from './teamsHarness.js';

const h = useTeamsWorld();

async function nagFor(record: Parameters<typeof buildNagNotification>[0]) {
  h.connector.reset();
  await h.world.core.delivery.deliverNag(buildNagNotification(record, h.world.now));
  // A run's later nag rewrites its card in place (or repeats in the thread): take what the bot sent last.
  const post = (h.connector.updates.at(-1) ?? h.connector.sent.at(-1))!;
  return { cardId: post.id, card: cardsOf(post.activity)[0] };
}

/** The answer to `@Lights Out <command>`, as text and card. */
async function ask(command: string) {
  h.connector.reset();
  await h.world.post(mention(h.connector.serviceUrl, command));
  const reply = h.connector.sent.at(-1)!.activity;
  return { text: String(reply.text ?? ''), card: cardsOf(reply)[0] };
}

describe('Hibernate over Teams', () => {
  it('offers Hibernate… with its own confirmation; confirming hibernates and the card says who', async () => {
    // Arrange
    await subscribeOps(h);
    const record = await h.world.launch({ Name: 'render-1' }, { hibernation: true });
    const { cardId, card } = await nagFor(record);
    const confirm = findAction(card, 'Yes, hibernate it')!;

    // Act
    const res = await h.world.post(
      execute(h.connector.serviceUrl, cardId, {
        verb: String(confirm.verb),
        data: confirm.data as Record<string, unknown>,
      }),
    );

    // Assert
    expect(findAction(card, 'Hibernate…')).toBeDefined();
    expect(findAction(card, 'Stop…')).toBeDefined();
    expect(h.world.stopCalls).toEqual([{ ids: [record.instanceId], hibernate: true }]);
    expect(cardText(res.body!.value)).toMatch(/Hibernated by Alice Example after 13h 02m/);
    expect((await h.world.instances.get(record))?.lastStop).toMatchObject({ hibernated: true });
  });

  it('does not hibernate on an unconfirmed click', async () => {
    await subscribeOps(h);
    const record = await h.world.launch({ Name: 'render-2' }, { hibernation: true });
    const { cardId, card } = await nagFor(record);
    const confirm = findAction(card, 'Yes, hibernate it')!;

    const res = await h.world.post(
      execute(h.connector.serviceUrl, cardId, {
        verb: String(confirm.verb),
        data: { token: (confirm.data as { token: string }).token },
      }),
    );

    expect(String(res.body!.value)).toMatch(/Hibernating needs a confirmation/);
    expect(h.world.stopCalls).toEqual([]);
  });

  it('accepts `stop <instance> --hibernate` where it is configured and refuses it where it is not', async () => {
    // Arrange
    await subscribeOps(h);
    await h.world.launch({ Name: 'render-3' }, { hibernation: true });
    await h.world.launch({ Name: 'web-9' });

    // Act
    const ok = await ask('stop render-3 --hibernate');
    const refused = await ask('stop web-9 --hibernate');

    // Assert
    expect(cardText(ok.card)).toMatch(/Hibernate render-3 .*\? Press Hibernate to confirm/);
    expect(findAction(ok.card, 'Yes, hibernate it')).toBeDefined();
    expect(findAction(ok.card, 'Yes, stop it')).toBeUndefined();
    expect(refused.text).toMatch(/web-9 \(i-\w+\) cannot hibernate: hibernation was not configured/);
    expect(h.world.stopCalls).toEqual([]);
  });
});

describe('Stop protection over Teams', () => {
  it('explains the refused Stop, then shows "stop-protected" instead of Stop and refuses `stop`', async () => {
    // Arrange
    await subscribeOps(h);
    const record = await h.world.launch({ Name: 'db-1' });
    await h.world.ec2.send(
      new ModifyInstanceAttributeCommand({ InstanceId: record.instanceId, DisableApiStop: { Value: true } }),
    );
    const first = await nagFor(record);
    const confirm = findAction(first.card, 'Yes, stop it')!;

    // Act
    const res = await h.world.post(
      execute(h.connector.serviceUrl, first.cardId, {
        verb: String(confirm.verb),
        data: confirm.data as Record<string, unknown>,
      }),
    );
    const again = await ask('stop db-1');
    h.world.setNow(new Date(h.world.now.getTime() + 3600_000));
    const later = await nagFor((await h.world.instances.get(record))!);

    // Assert
    expect(JSON.stringify(res.body)).toContain(
      'is stop-protected (DisableApiStop), so EC2 refuses to stop it',
    );
    expect(await h.world.ec2State(record.instanceId)).toBe('running');
    expect(again.text).toContain('is stop-protected (DisableApiStop)');
    expect(again.text).toContain('--no-disable-api-stop');
    expect(findAction(later.card, 'Stop…')).toBeUndefined();
    expect(findAction(later.card, 'Snooze')).toBeDefined();
    expect(cardText(later.card)).toContain('stop-protected: DisableApiStop is set');
    expect(h.world.stopCalls).toHaveLength(1);
  });
});
