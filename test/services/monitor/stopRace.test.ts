/**
 * Several people press Stop on the same message at once. Each click goes
 * through the real action pipeline and stop operation, against EC2 on moto
 * and the SQLite store; the proxy in front of moto counts the StopInstances
 * calls that reached it.
 *
 * The claim is a conditional write; the contract suite checks both stores
 * refuse a write from a stale version. The race runs on SQLite only: moto's
 * DynamoDB serves requests on threads and evaluates a ConditionExpression
 * without a lock, so two truly concurrent conditional writes can both pass
 * there, which DynamoDB itself never allows.
 */
import { beforeEach, describe, expect, it } from 'vitest';
import type { ChatActor } from '../../../src/ports/chat.js';
import { useFaultProxy } from '../../support/faultProxy.js';
import { useMoto } from '../../support/moto.js';
import { stopWorld } from '../../support/stopWorld.js';

const moto = useMoto();
const proxy = useFaultProxy(moto);

const people: ChatActor[] = [
  { platform: 'slack', id: 'U0ANA', name: 'ana' },
  { platform: 'slack', id: 'U0BOB', name: 'bob' },
  { platform: 'teams', id: 'aad-cy', name: 'Cy' },
];

describe('simultaneous Stops', () => {
  beforeEach(async () => {
    await moto.reset();
    proxy.reset();
  });

  it.each([2, 3])(
    '%i people pressing Stop at once: one StopInstances, the rest told who is stopping it',
    async (count) => {
      // Arrange
      const world = stopWorld(proxy.get().clientConfig);
      const record = await world.launch('web-1');

      // Act
      const results = await Promise.all(
        people.slice(0, count).map((actor, i) => world.stop(record, actor, `click-${i}`)),
      );

      // Assert
      expect(proxy.get().count('StopInstances').forwarded).toBe(1);
      const done = results.filter((r) => r.status === 'done');
      expect(done).toHaveLength(1);
      const winner = done[0]!.message!.outcome;
      const name = winner?.kind === 'stopped' ? winner.by.name : 'nobody';
      const others = results.filter((r) => r.status !== 'done');
      expect(others.map((r) => r.notice)).toEqual(
        Array(count - 1).fill(
          `Nothing done: web-1 (${record.instanceId}) is already being stopped by @${name}.`,
        ),
      );
    },
  );
});
