/**
 * Shared set-up of the Teams end-to-end suites: moto, the loopback Bot
 * Connector and a fresh TeamsWorld per test; after each test every card the
 * bot sent or updated is checked with the Adaptive Card parser, and the
 * connector must have understood every call.
 */
import { afterEach, beforeEach, expect } from 'vitest';
import { buildNagNotification } from '../../../src/core/notification.js';
import { adaptiveCardProblems, cardsOf } from '../../support/adaptiveCards.js';
import { type FakeBotConnector, useFakeBotConnector } from '../../support/fakeBotConnector.js';
import { type MotoServer, useMoto } from '../../support/moto.js';
import { mention } from './activities.js';
import { createTeamsWorld, type TeamsWorld, type TeamsWorldOptions } from './teamsWorld.js';

export interface TeamsHarness {
  moto: MotoServer;
  connector: FakeBotConnector;
  world: TeamsWorld;
}

export function useTeamsWorld(opts: TeamsWorldOptions = {}): TeamsHarness {
  const h = { moto: useMoto(), connector: useFakeBotConnector() } as TeamsHarness;
  beforeEach(async () => {
    await h.moto.reset();
    h.world = await createTeamsWorld(h.moto, h.connector, {}, opts);
  });
  afterEach(async () => {
    for (const a of [...h.connector.sent, ...h.connector.updates]) {
      for (const card of cardsOf(a.activity)) expect(adaptiveCardProblems(card)).toEqual([]);
    }
    expect(h.connector.unknown).toEqual([]);
    await h.world.close();
  });
  return h;
}

export type Card = { body: Record<string, unknown>[] };

/** Finds an action anywhere in a card by title. */
export function findAction(card: unknown, title: string): Record<string, unknown> | undefined {
  const stack: unknown[] = [card];
  while (stack.length) {
    const node = stack.pop();
    if (Array.isArray(node)) stack.push(...node);
    else if (node && typeof node === 'object') {
      const o = node as Record<string, unknown>;
      if (typeof o.type === 'string' && o.type.startsWith('Action.') && o.title === title) return o;
      stack.push(...Object.values(o));
    }
  }
  return undefined;
}

export const cardText = (card: unknown) => JSON.stringify(card);

export async function subscribeOps(h: TeamsHarness, group = 'web') {
  const res = await h.world.post(mention(h.connector.serviceUrl, `subscribe ${group}`));
  expect(res.status).toBe(200);
}

/** Subscribes OPS, launches an instance, delivers its first nag; returns the posted card and its id. */
export async function nagged(h: TeamsHarness) {
  await subscribeOps(h);
  const record = await h.world.launch();
  h.connector.reset();
  await h.world.core.delivery.deliverNag(buildNagNotification(record, h.world.now));
  const post = h.connector.sent.at(-1)!;
  return { record, cardId: post.id, card: cardsOf(post.activity)[0] as Card };
}
