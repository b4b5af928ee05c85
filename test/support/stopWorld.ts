/**
 * The chat core's stop path on real parts: EC2 on moto (reached through `endpoint`, e.g. the
 * fault proxy), the SQLite instance store, the real MonitorService and action pipeline.
 */
import { EC2Client } from '@aws-sdk/client-ec2';
import { Ec2Fleet } from '../../src/aws/ec2Fleet.js';
import type { ActionResult } from '../../src/chat/core/actionPipeline.js';
import { createChatCore } from '../../src/chat/core/chatCore.js';
import type { InstanceRecord } from '../../src/core/instance.js';
import { createLogger } from '../../src/log.js';
import type { ChatActor, ChatGateway } from '../../src/ports/chat.js';
import { MonitorService } from '../../src/services/monitor/monitorService.js';
import { RunStopper } from '../../src/services/monitor/stop.js';
import { SqliteAuditLog } from '../../src/sqlite/auditLog.js';
import { openDatabase } from '../../src/sqlite/database.js';
import { SqliteIdempotencyStore } from '../../src/sqlite/idempotencyStore.js';
import { SqliteInstanceStore } from '../../src/sqlite/instanceStore.js';
import { SqliteSubscriptionStore } from '../../src/sqlite/subscriptionStore.js';
import { MemoryNagScheduler } from './fakes.js';
import { LAMBDA_REGION, launchMonitored } from './lambdaEngine.js';
import { testMonitorSettings } from './monitorSettings.js';

const quietGateway = (platform: 'slack' | 'teams'): ChatGateway => ({
  platform,
  post: async (channel) => ({ platform, channelId: channel.channelId, messageId: 'm1' }),
  update: async () => undefined,
  replyInThread: async () => undefined,
  postText: async (channel) => ({ platform, channelId: channel.channelId, messageId: 't1' }),
  notifyPrivately: async () => undefined,
});

const CHANNELS = {
  slack: { platform: 'slack' as const, channelId: 'C0WEB' },
  teams: { platform: 'teams' as const, channelId: '19:web@thread.tacv2' },
};

export function stopWorld(clientConfig: { endpoint: string; region: string; credentials: object }) {
  // One attempt per call: a test injecting a fault wants to see it, not the SDK's retries of it.
  const ec2 = new EC2Client({ ...clientConfig, region: LAMBDA_REGION, maxAttempts: 1 } as never);
  const fleet = new Ec2Fleet(() => ec2);
  const db = openDatabase(':memory:');
  const store = new SqliteInstanceStore(db);
  const audit = new SqliteAuditLog(db);
  const monitor = new MonitorService({
    fleet,
    store,
    scheduler: new MemoryNagScheduler(),
    notifier: { notify: async () => undefined },
    events: { publish: async () => undefined },
    clock: () => new Date(),
    settings: testMonitorSettings({ regions: [LAMBDA_REGION] }),
  });
  const core = createChatCore({
    monitor,
    fleet,
    audit,
    instances: store,
    subscriptions: new SqliteSubscriptionStore(db),
    idempotency: new SqliteIdempotencyStore(db),
    gateways: [quietGateway('slack'), quietGateway('teams')],
    fallbackChannels: CHANNELS,
    clock: () => new Date(),
    log: createLogger('test', 'ERROR'),
  });
  return {
    ec2,
    fleet,
    store,
    audit,
    monitor,
    /** The stop operation itself, as the CLI and workloads call it. */
    stopper: new RunStopper({ monitor, store, fleet, audit, clock: () => new Date() }),
    launch: (name: string) => launchMonitored(ec2, { engine: monitor, store } as never, name),
    stop(record: InstanceRecord, actor: ChatActor, requestId: string): Promise<ActionResult> {
      return core.actions.handle({
        action: 'stop',
        target: {
          region: record.region,
          instanceId: record.instanceId,
          launchTime: record.launchTime,
          group: record.group,
        },
        ctx: { channel: CHANNELS[actor.platform], actor, requestId },
      });
    },
  };
}
