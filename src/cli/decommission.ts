/**
 * `lightsout decommission <instance-id> [--region R] [--dry-run] [--json]`:
 * runs the cleanup hooks (Route53, Cloud Map, webhooks) for one terminated
 * instance by hand, e.g. when it was terminated while Lights Out was down, or
 * to preview with `--dry-run` what a termination will clean up.
 *
 * IPs and tags come from the stored record (captured while the instance ran)
 * when there is one, else from a live DescribeInstances. A live instance that
 * is not terminated is refused unless `--dry-run`: removing a running host's
 * DNS is exactly what this tool must never do by accident.
 */

import { existsSync } from 'node:fs';
import { userInfo } from 'node:os';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type { Command } from 'commander';
import { dynamoClient, snsClient } from '../aws/clients.js';
import { DynamoAuditLog } from '../aws/dynamodb/auditLog.js';
import { DynamoCleanupOutcomeStore } from '../aws/dynamodb/dynamoCleanupOutcomeStore.js';
import { SnsDomainEventPublisher } from '../aws/snsDomainEventPublisher.js';
import type { Config } from '../config/index.js';
import { LightsOutError, NotFoundError, ValidationError } from '../core/errors.js';
import type { InstanceRecord } from '../core/instance.js';
import { quoted } from '../core/quote.js';
import { readTagPolicy } from '../core/tagPolicy.js';
import type { AuditLog } from '../ports/auditLog.js';
import type { CleanupOutcomeStore } from '../ports/cleanupOutcomeStore.js';
import type { FleetInstance } from '../ports/fleet.js';
import type { DomainEventPublisher } from '../ports/notifier.js';
import { SqliteAuditLog } from '../sqlite/auditLog.js';
import { openDatabase } from '../sqlite/database.js';
import { SqliteCleanupOutcomeStore } from '../sqlite/sqliteCleanupOutcomeStore.js';
import { buildDecommissionService } from '../wiring/cleanupWiring.js';
import type { CliCommand, CliContext } from './context.js';

interface DecommissionOptions {
  region?: string;
  dryRun?: boolean;
  json?: boolean;
}

const INSTANCE_ID_RE = /^i-[0-9a-f]{8}(?:[0-9a-f]{9})?$/;
const REGION_RE = /^[a-z]{2}(-[a-z]+)+-\d$/;

export const decommissionCommand: CliCommand = {
  register(program: Command, ctx: CliContext) {
    program
      .command('decommission')
      .description('Clean up after a terminated instance: DNS records, Cloud Map registrations, webhooks')
      .argument('<instance-id>', 'EC2 instance id, e.g. i-0abc1234def567890')
      .option('--region <region>', 'region of the instance (default: the first of REGIONS)')
      .option('--dry-run', 'show what would be removed; change nothing')
      .option('--json', 'print the result as JSON')
      .addHelpText(
        'after',
        '\nExamples:\n  lightsout decommission i-0abc1234def567890 --dry-run\n  lightsout decommission i-0abc1234def567890 --region eu-west-1',
      )
      .action(async (instanceId: string, opts: DecommissionOptions) => {
        if (!INSTANCE_ID_RE.test(instanceId)) {
          throw new ValidationError(
            `${quoted(instanceId)} is not an EC2 instance id (they look like i-0abc1234def567890)`,
          );
        }
        if (opts.region !== undefined && !REGION_RE.test(opts.region)) {
          throw new ValidationError(
            `--region must be an AWS region such as eu-west-1; got ${quoted(String(opts.region))}`,
          );
        }
        const config = ctx.config();
        const region = opts.region ?? config.monitor.regions[0] ?? 'us-east-1';
        const { record, liveState } = await findRecord(ctx, config, region, instanceId, opts.dryRun === true);
        const stores = cleanupStores(config);
        const service = await buildDecommissionService({
          config: config.cleanup,
          outcomes: stores.outcomes,
          audit: stores.audit,
          events: eventPublisher(config, ctx),
          homeRegion: config.monitor.regions[0] ?? 'us-east-1',
        });

        const result = await service.decommission(record, {
          dryRun: opts.dryRun === true,
          actor: requester(),
        });

        if (opts.json) {
          ctx.stdout.write(`${JSON.stringify(result, null, 2)}\n`);
        } else {
          // The summary reads "terminated"; say plainly that this is a preview for a live host.
          if (liveState) {
            ctx.stdout.write(
              `${instanceId} is ${liveState}, not terminated: this previews what its termination would clean up\n`,
            );
          }
          ctx.stdout.write(`${result.summary}\n`);
          for (const o of result.outcomes) {
            const mark = o.ok ? (o.changed ? '✓' : '·') : '✗';
            ctx.stdout.write(
              `  ${mark} ${o.hook}: ${o.summary}${o.reason && o.reason !== o.summary ? ` (${o.reason})` : ''}\n`,
            );
          }
        }
        if (!result.ok) {
          throw new LightsOutError(
            'cleanup_failed',
            'some cleanup hooks failed (see above); re-run to retry them',
          );
        }
      });
  },
};

async function findRecord(
  ctx: CliContext,
  config: Config,
  region: string,
  instanceId: string,
  dryRun: boolean,
): Promise<{ record: InstanceRecord; liveState?: string }> {
  const [live] = await ctx.fleet().find(region, { instanceIds: [instanceId] });
  const liveState = live && !['shutting-down', 'terminated'].includes(live.state) ? live.state : undefined;
  if (liveState && !dryRun) {
    throw new ValidationError(
      `${instanceId} is ${liveState}, not terminated; decommission only cleans up after termination (use --dry-run to preview)`,
    );
  }
  const stored = await ctx.existingStore()?.get({ region, instanceId });
  if (stored) return { record: stored, liveState };
  if (live) return { record: recordFromFleet(live, config), liveState };
  throw new NotFoundError(
    `${instanceId} is neither in the Lights Out store nor listed by EC2 in ${region}; check --region ` +
      '(EC2 lists terminated instances for about an hour)',
  );
}

function recordFromFleet(i: FleetInstance, config: Config): InstanceRecord {
  const policy = readTagPolicy(i.tags, {
    mode: config.monitor.mode,
    defaultGroup: config.monitor.defaultGroup,
    defaultThresholdSeconds: config.monitor.defaultThresholdSeconds,
    defaultRenotifySeconds: config.monitor.defaultRenotifySeconds,
    hourlyCostTag: config.monitor.hourlyCostTag,
  });
  return {
    region: i.region,
    instanceId: i.instanceId,
    launchTime: i.launchTime,
    state: i.state,
    stateChangedAt: i.launchTime,
    name: i.tags.Name,
    instanceType: i.instanceType,
    availabilityZone: i.availabilityZone,
    privateIp: i.privateIp,
    publicIp: i.publicIp,
    accountId: i.accountId,
    tags: i.tags,
    group: policy.group,
    thresholdSeconds: policy.thresholdSeconds,
    renotifySeconds: policy.renotifySeconds,
    extensionSeconds: 0,
    nagCount: 0,
    warnings: policy.warnings,
    chatRefs: [],
    version: 0,
  };
}

/** Where the outcome and the audit entry go: the deployment's table, the single process's file, or nowhere lasting. */
function cleanupStores(config: Config): { outcomes: CleanupOutcomeStore; audit: AuditLog } {
  const home = config.monitor.regions[0] ?? 'us-east-1';
  if (config.store.tableName) {
    const doc = DynamoDBDocumentClient.from(dynamoClient(home));
    return {
      outcomes: new DynamoCleanupOutcomeStore(doc, config.store.tableName),
      audit: new DynamoAuditLog(doc, config.store.tableName),
    };
  }
  // Record next to the single process's data when it exists; a laptop run without one leaves no files behind.
  const db = openDatabase(existsSync(config.store.sqlitePath) ? config.store.sqlitePath : ':memory:');
  return { outcomes: new SqliteCleanupOutcomeStore(db), audit: new SqliteAuditLog(db) };
}

const requester = (): string => {
  try {
    return `cli:${userInfo().username}`;
  } catch {
    return 'cli:unknown';
  }
};

/** Lambda deployments report through the events topic; otherwise the outcome is printed only. */
function eventPublisher(config: Config, ctx: CliContext): DomainEventPublisher {
  const arn = config.monitor.eventsTopicArn;
  if (arn) return new SnsDomainEventPublisher(snsClient(arn.split(':')[3] ?? 'us-east-1'), arn);
  return {
    publish: async () => ctx.stderr.write('(not reported to chat: EVENTS_TOPIC_ARN is not set)\n'),
  };
}
