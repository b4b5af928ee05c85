/**
 * Everything the Teams end-to-end tests run against: moto EC2, in-memory
 * SQLite stores, the real MonitorService and chat core, the real CloudAdapter
 * (auth off) behind an HTTP route, and a fake Bot Connector on loopback.
 * Time is a virtual clock the test moves.
 */
import { createServer, type Server } from 'node:http';
import { DescribeInstancesCommand, EC2Client, RunInstancesCommand } from '@aws-sdk/client-ec2';
import { Ec2Fleet } from '../../../src/aws/ec2Fleet.js';
import { createChatCore } from '../../../src/chat/core/chatCore.js';
import type { CommandExtension } from '../../../src/chat/core/commandExtension.js';
import {
  createTeamsEndpoint,
  createTeamsTransport,
  type TeamsEndpoint,
} from '../../../src/chat/teams/teamsApp.js';
import type { TeamsGateway } from '../../../src/chat/teams/teamsGateway.js';
import { loadConfig } from '../../../src/config/index.js';
import { HOUR } from '../../../src/core/duration.js';
import { InProcessStopScheduler } from '../../../src/local/inProcessStopScheduler.js';
import { createLogger } from '../../../src/log.js';
import type { Fleet } from '../../../src/ports/fleet.js';
import { InProcessEventBus } from '../../../src/services/monitor/eventBus.js';
import { MonitorService } from '../../../src/services/monitor/monitorService.js';
import { SqliteAuditLog } from '../../../src/sqlite/auditLog.js';
import { SqliteChatInstallationStore } from '../../../src/sqlite/chatInstallationStore.js';
import { openDatabase } from '../../../src/sqlite/database.js';
import { SqliteIdempotencyStore } from '../../../src/sqlite/idempotencyStore.js';
import { SqliteInstanceStore } from '../../../src/sqlite/instanceStore.js';
import { SqliteOutbox } from '../../../src/sqlite/outbox.js';
import { SqliteStopScheduleStore } from '../../../src/sqlite/stopScheduleStore.js';
import { SqliteSubscriptionStore } from '../../../src/sqlite/subscriptionStore.js';
import { consentService } from '../../../src/wiring/consentWiring.js';
import type { FakeBotConnector } from '../../support/fakeBotConnector.js';
import { MemoryNagScheduler } from '../../support/fakes.js';
import type { MotoServer } from '../../support/moto.js';

export { ALICE, BOT, OPS, OTHER, TEAM, TENANT } from './teamsIds.js';

export interface TeamsWorldOptions {
  /** Command extensions (e.g. `workload …`), built with the world's Teams gateway. */
  extensions?: (gateway: TeamsGateway) => CommandExtension[];
  /**
   * Consented stops: the consent service over the SQLite-kept stop schedules
   * (never fired by a timer: tests fire them), wired like the runtimes do, so
   * cards offer Stop at…, Stop when idle, Cancel and +1h.
   */
  consents?: boolean;
}

export async function createTeamsWorld(
  moto: MotoServer,
  connector: FakeBotConnector,
  env: Record<string, string> = {},
  opts: TeamsWorldOptions = {},
) {
  let now = new Date();
  const clock = () => now;
  const config = loadConfig({ TEAMS_ENABLED: 'true', AWS_REGION: 'us-east-1', ...env });
  const warnings: string[] = [];
  /** Every info, warning and error the bot logged, with its structured fields. */
  const logs: { level: string; message: string; fields: Record<string, unknown> }[] = [];
  const log = createLogger('teams-test', 'ERROR');
  for (const level of ['info', 'warn', 'error'] as const) {
    const original = log[level].bind(log);
    log[level] = (message: unknown, ...rest: never[]) => {
      if (level === 'warn') warnings.push(String(message));
      logs.push({ level, message: String(message), fields: Object.assign({}, ...rest) });
      original(message as string, ...rest);
    };
  }
  const ec2 = new EC2Client({ ...moto.clientConfig, region: 'us-east-1' });
  const db = openDatabase(':memory:');
  const instances = new SqliteInstanceStore(db, { clock });
  const subscriptions = new SqliteSubscriptionStore(db);
  const installations = new SqliteChatInstallationStore(db);
  const audit = new SqliteAuditLog(db);
  const idempotency = new SqliteIdempotencyStore(db);
  const ec2Fleet = new Ec2Fleet((region) => new EC2Client({ ...moto.clientConfig, region }));
  // Fault injection for what moto cannot produce (an IAM refusal); everything else is moto's EC2.
  let stopFault: Error | undefined;
  // Every StopInstances the engine makes, as EC2 was asked (ids and Hibernate).
  const stopCalls: { ids: string[]; hibernate: boolean }[] = [];
  const fleet: Fleet = {
    find: (region, query) => ec2Fleet.find(region, query),
    start: (region, ids) => ec2Fleet.start(region, ids),
    setInstanceType: (region, id, type) => ec2Fleet.setInstanceType(region, id, type),
    stopProtected: (region, id) => ec2Fleet.stopProtected(region, id),
    stop: async (region, ids, opts) => {
      stopCalls.push({ ids: [...ids], hibernate: opts?.hibernate === true });
      if (stopFault) throw stopFault;
      return ec2Fleet.stop(region, ids, opts);
    },
  };
  const bus = new InProcessEventBus();
  // Timers that never fire: the tests fire the stop schedules themselves.
  const stopScheduler = opts.consents
    ? new InProcessStopScheduler(new SqliteStopScheduleStore(db), {
        clock,
        log,
        timers: { setTimeout: () => 0, clearTimeout: () => undefined },
      })
    : undefined;
  const monitor = new MonitorService({
    fleet,
    store: instances,
    // Only remembers; tests fire nags themselves (moto has no schedules).
    scheduler: new MemoryNagScheduler(),
    notifier: { notify: async () => undefined },
    events: bus,
    clock,
    settings: config.monitor,
    ...(stopScheduler ? { stopScheduler } : {}),
  });
  const consents = stopScheduler
    ? consentService(
        monitor,
        { store: instances, fleet, clock, settings: config.monitor, stopScheduler },
        audit,
        log,
      )
    : undefined;
  const transport = createTeamsTransport(config.teams, log);
  const core = createChatCore({
    monitor,
    fleet,
    audit,
    instances,
    subscriptions,
    idempotency,
    gateways: [transport.gateway],
    policies: { teams: { stopAllow: config.teams.stopAllow, admins: config.teams.admins } },
    extensions: opts.extensions?.(transport.gateway),
    ...(consents
      ? {
          idleStops: {
            consents,
            defaultWindowSeconds: config.idle.defaultWindowSeconds,
            checkEverySeconds: config.idle.checkEverySeconds,
            graceSeconds: config.monitor.stopWarningSeconds,
          },
        }
      : {}),
    clock,
    log,
  });
  const outbox = new SqliteOutbox(db, { clock });
  bus.subscribe(async (event) => {
    await core.delivery.deliverEvent(event);
  });
  const endpoint: TeamsEndpoint = createTeamsEndpoint(transport, {
    core,
    subscriptions,
    installations,
    clock,
    log,
    ackBudgetMs: config.aws.chat.ackBudgetMs,
    deadlineMs: config.aws.chat.actionDeadlineMs,
  });

  const server: Server = createServer((req, res) => {
    if (req.url === '/api/messages') void endpoint.listener(req, res);
    else res.writeHead(404).end();
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  const url = `http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}/api/messages`;

  return {
    config,
    warnings,
    logs,
    ec2,
    instances,
    subscriptions,
    installations,
    audit,
    monitor,
    core,
    endpoint,
    url,
    connector,
    stopCalls,
    /** With `consents`: the consent service and its stop schedules. */
    consents,
    stopScheduler,
    /** Delivers the consent changes waiting in the outbox to chat, as the runtimes' outbox does. */
    async deliverConsentEvents() {
      for (const entry of await outbox.pending()) {
        if (entry.event.type !== 'instance.stop-consent') continue;
        await core.delivery.deliverEvent(entry.event);
        await outbox.delivered(entry.id);
      }
    },
    /** The next StopInstances fails with `error` (until cleared with undefined). */
    failStops(error: Error | undefined) {
      stopFault = error;
    },
    setNow(d: Date) {
      now = d;
    },
    get now() {
      return now;
    },
    /** Launches a monitored instance in moto and lets the engine observe it. */
    async launch(tags: Record<string, string> = {}, opts: { hibernation?: boolean } = {}) {
      const res = await ec2.send(
        new RunInstancesCommand({
          ImageId: 'ami-12c6146b',
          InstanceType: 't3.micro',
          MinCount: 1,
          MaxCount: 1,
          HibernationOptions: opts.hibernation ? { Configured: true } : undefined,
          TagSpecifications: [
            {
              ResourceType: 'instance',
              Tags: Object.entries({ Monitor: 'true', MonitorGroup: 'web', Name: 'web-1', ...tags }).map(
                ([Key, Value]) => ({ Key, Value }),
              ),
            },
          ],
        }),
      );
      const instanceId = res.Instances![0]!.InstanceId!;
      await monitor.handleStateChange({
        region: 'us-east-1',
        instanceId,
        state: 'running',
        time: now.toISOString(),
      });
      const record = await instances.get({ region: 'us-east-1', instanceId });
      // 13 hours into the run: past the default 12h threshold.
      now = new Date(Date.parse(record!.launchTime) + 13 * HOUR * 1000 + 120_000);
      return record!;
    },
    async ec2State(instanceId: string) {
      const res = await ec2.send(new DescribeInstancesCommand({ InstanceIds: [instanceId] }));
      return res.Reservations?.[0]?.Instances?.[0]?.State?.Name;
    },
    /** POSTs an activity to the route and returns status and parsed body. */
    async post(
      activity: Record<string, unknown>,
      init: { body?: string; method?: string; headers?: Record<string, string> } = {},
    ) {
      const res = await fetch(url, {
        method: init.method ?? 'POST',
        headers: { 'content-type': 'application/json', ...init.headers },
        body: init.method === 'GET' ? undefined : (init.body ?? JSON.stringify(activity)),
      });
      const text = await res.text();
      let body: unknown = text;
      try {
        body = text ? JSON.parse(text) : undefined;
      } catch {
        // plain text answer
      }
      return { status: res.status, body: body as Record<string, unknown> | undefined };
    },
    async close() {
      await new Promise<void>((resolve) => server.close(() => resolve()));
      db.close();
    },
  };
}

export type TeamsWorld = Awaited<ReturnType<typeof createTeamsWorld>>;
