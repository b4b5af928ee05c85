/**
 * Several people press Stop on the same message at once. Each click goes
 * through the real action pipeline and stop operation, against EC2 on moto
 * and each real store; moto's own request log says how many StopInstances
 * EC2 received.
 */
import { EC2Client } from '@aws-sdk/client-ec2';
import { beforeEach, describe, expect, it } from 'vitest';
import { Ec2Fleet } from '../../../src/aws/ec2Fleet.js';
import { type ChatCore, createChatCore } from '../../../src/chat/core/chatCore.js';
import { createLogger } from '../../../src/log.js';
import type { ChatActor, ChatGateway } from '../../../src/ports/chat.js';
import type { InstanceStore } from '../../../src/ports/instanceStore.js';
import { MonitorService } from '../../../src/services/monitor/monitorService.js';
import { SqliteAuditLog } from '../../../src/sqlite/auditLog.js';
import { openDatabase } from '../../../src/sqlite/database.js';
import { SqliteIdempotencyStore } from '../../../src/sqlite/idempotencyStore.js';
import { SqliteInstanceStore } from '../../../src/sqlite/instanceStore.js';
import { SqliteSubscriptionStore } from '../../../src/sqlite/subscriptionStore.js';
import { MemoryNagScheduler } from '../../support/fakes.js';
import { LAMBDA_REGION, launchMonitored } from '../../support/lambdaEngine.js';
import { useMoto } from '../../support/moto.js';
import { recordedActions, startRecording } from '../../support/motoRecorder.js';

const moto = useMoto();

/**
 * The claim is a conditional write; the contract suite checks both stores
 * refuse a write from a stale version. The race runs on SQLite only: moto's
 * DynamoDB serves requests on threads and evaluates a ConditionExpression
 * without a lock, so two truly concurrent conditional writes can both pass
 * there, which DynamoDB itself never allows.
 */
const stores: [string, () => Promise<InstanceStore>][] = [
  ['SQLite', async () => new SqliteInstanceStore(openDatabase(':memory:'))],
];

const people: ChatActor[] = [
  { platform: 'slack', id: 'U0ANA', name: 'ana' },
  { platform: 'slack', id: 'U0BOB', name: 'bob' },
  { platform: 'teams', id: 'aad-cy', name: 'Cy' },
];

const quietGateway = (platform: 'slack' | 'teams'): ChatGateway => ({
  platform,
  post: async (channel) => ({ platform, channelId: channel.channelId, messageId: 'm1' }),
  update: async () => undefined,
  replyInThread: async () => undefined,
  postText: async (channel) => ({ platform, channelId: channel.channelId, messageId: 't1' }),
  notifyPrivately: async () => undefined,
});

describe.each(stores)('simultaneous Stops (%s store)', (_name, makeStore) => {
  let store: InstanceStore;
  let monitor: MonitorService;
  let core: ChatCore;
  let ec2: EC2Client;

  beforeEach(async () => {
    await moto.reset();
    store = await makeStore();
    ec2 = new EC2Client({ ...moto.clientConfig, region: LAMBDA_REGION });
    const fleet = new Ec2Fleet(() => ec2);
    monitor = new MonitorService({
      fleet,
      store,
      scheduler: new MemoryNagScheduler(),
      notifier: { notify: async () => undefined },
      events: { publish: async () => undefined },
      clock: () => new Date(),
      settings: {
        mode: 'opt-in',
        defaultGroup: 'all',
        defaultThresholdSeconds: 12 * 3600,
        defaultRenotifySeconds: 3600,
        regions: [LAMBDA_REGION],
        tombstoneTtlSeconds: 86_400,
      },
    });
    const db = openDatabase(':memory:');
    core = createChatCore({
      monitor,
      fleet,
      audit: new SqliteAuditLog(db),
      instances: store,
      subscriptions: new SqliteSubscriptionStore(db),
      idempotency: new SqliteIdempotencyStore(db),
      gateways: [quietGateway('slack'), quietGateway('teams')],
      fallbackChannels: {
        slack: { platform: 'slack', channelId: 'C0WEB' },
        teams: { platform: 'teams', channelId: '19:web@thread.tacv2' },
      },
      clock: () => new Date(),
      log: createLogger('test', 'ERROR'),
    });
  });

  async function pressStopTogether(count: number) {
    const record = await launchMonitored(ec2, { engine: monitor, store } as never, 'web-1');
    const target = { ...record, group: record.group };
    await startRecording(moto);
    const results = await Promise.all(
      people.slice(0, count).map((actor, i) =>
        core.actions.handle({
          action: 'stop',
          target,
          ctx: {
            channel:
              actor.platform === 'slack'
                ? { platform: 'slack', channelId: 'C0WEB' }
                : { platform: 'teams', channelId: '19:web@thread.tacv2' },
            actor,
            requestId: `click-${i}`,
          },
        }),
      ),
    );
    const stops = (await recordedActions(moto)).filter((a) => a === 'StopInstances');
    return { results, stops };
  }

  it.each([2, 3])(
    '%i people pressing Stop at once: one StopInstances, the rest told who is stopping it',
    async (count) => {
      const { results, stops } = await pressStopTogether(count);

      expect(stops).toHaveLength(1);
      const done = results.filter((r) => r.status === 'done');
      expect(done).toHaveLength(1);
      const winner = done[0]!.message!.outcome;
      expect(winner?.kind).toBe('stopped');
      const name = winner?.kind === 'stopped' ? winner.by.name : '';
      const others = results.filter((r) => r.status !== 'done');
      expect(others).toHaveLength(count - 1);
      for (const other of others) {
        expect(other.notice).toBe(
          `Nothing done: web-1 (${done[0]!.message!.run.instanceId}) is already being stopped by @${name}.`,
        );
      }
    },
  );
});
