/**
 * The weekly digest on AWS. An hourly EventBridge rule invokes it with no
 * payload: every channel whose Monday 09:00 has come gets its digest, once
 * (the week is claimed in the table, so a rule that fires twice, or a retry,
 * sends one). `/ec2 digest now` invokes it asynchronously with the channel:
 * `{ "sendNow": { "platform": "slack", "channelId": "C0…" } }`.
 *
 * It is a function of its own because the chart brings echarts, resvg's
 * WebAssembly build and a font: the chat functions stay small, and only this
 * one carries them (the wasm and the font sit beside index.mjs, see
 * infra/lib/handlerFunction.ts).
 */
import { dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import type { Context } from 'aws-lambda';
import { configureAwsClients, dynamoDocumentClient } from '../aws/clients.js';
import { DynamoChatInstallationStore } from '../aws/dynamodb/chatInstallationStore.js';
import { DynamoDigestSettingsStore } from '../aws/dynamodb/digestSettingsStore.js';
import { DynamoInstanceStore } from '../aws/dynamodb/instanceStore.js';
import { DynamoRunHistory } from '../aws/dynamodb/runHistory.js';
import { DynamoSubscriptionStore } from '../aws/dynamodb/subscriptionStore.js';
import { SlackDigestPoster } from '../chat/slack/slackDigest.js';
import { TeamsDigestPoster } from '../chat/teams/digestCard.js';
import { type Config, ConfigError, type Env, loadConfig } from '../config/index.js';
import { createLogger, type Log } from '../log.js';
import { type Clock, systemClock } from '../ports/clock.js';
import type { DigestPoster } from '../ports/digestPoster.js';
import type { ChannelRef } from '../ports/subscriptionStore.js';
import { type DigestOutcome, WeeklyDigestService } from '../services/digest/weeklyDigest.js';
import { chartAssets } from '../wiring/chartAssets.js';

export interface DigestEvent {
  sendNow?: Pick<ChannelRef, 'platform' | 'channelId'>;
}

export interface LambdaDigest {
  service: WeeklyDigestService;
  subscriptions: DynamoSubscriptionStore;
  log: Log & { addContext?: (c: Context) => void };
}

/** Builds the handler over its dependencies; tests pass them with a virtual clock. */
export function digestHandler(deps: () => Promise<LambdaDigest>) {
  return async (event: DigestEvent = {}, context?: Context): Promise<DigestOutcome[]> => {
    const { service, subscriptions, log } = await deps();
    if (context) log.addContext?.(context);
    if (event.sendNow) {
      const [sub] = await subscriptions.forChannel(event.sendNow);
      if (!sub)
        return [
          {
            channel: `${event.sendNow.platform}:${event.sendNow.channelId}`,
            sent: false,
            reason: 'this channel follows no group',
          },
        ];
      await service.sendNow(sub.channel);
      return [
        { channel: `${sub.channel.platform}:${sub.channel.channelId}`, sent: true, reason: 'asked for now' },
      ];
    }
    const outcomes = await service.runDue();
    for (const o of outcomes.filter((x) => x.sent || x.reason.startsWith('failed')))
      log.info('weekly digest', { ...o });
    return outcomes;
  };
}

/** The digest's wiring from config: DynamoDB stores, and a poster per configured chat platform. */
export async function buildLambdaDigest(
  config: Config,
  opts: { clock?: Clock; secrets?: SecretsManagerClient; assetDir?: string } = {},
): Promise<LambdaDigest> {
  configureAwsClients(config.aws.clients);
  const log = createLogger('lightsout-digest', config.logLevel);
  if (!config.store.tableName)
    throw new ConfigError(['TABLE_NAME is required on Lambda: the Lights Out DynamoDB table']);
  const region = config.monitor.regions[0] ?? 'us-east-1';
  const clock = opts.clock ?? systemClock;
  const secrets = opts.secrets ?? new SecretsManagerClient({ region });
  const doc = dynamoDocumentClient(region);
  const table = config.store.tableName;
  const posters: DigestPoster[] = [];
  if (config.slack.enabled) {
    const slack = await (await import('./slackRuntime.js')).slackAtColdStart(config, log, { secrets });
    posters.push(new SlackDigestPoster(slack.client, chartAssets(opts.assetDir)));
  }
  if (config.teams.enabled) {
    const installations = new DynamoChatInstallationStore(doc, table);
    const teams = await (await import('./teamsRuntime.js')).teamsAtColdStart(config, log, {
      secrets,
      installations,
    });
    if (teams) posters.push(new TeamsDigestPoster(teams.transport.gateway));
  }
  const subscriptions = new DynamoSubscriptionStore(doc, table);
  const service = new WeeklyDigestService({
    history: new DynamoRunHistory(doc, table, { retentionDays: config.digest.historyRetentionDays }),
    store: new DynamoInstanceStore(doc, table, { clock }),
    ownerTag: config.monitor.ownerTag,
    subscriptions,
    settings: new DynamoDigestSettingsStore(doc, table),
    posters,
    defaults: { cadence: config.digest.defaultCadence, timeZone: config.digest.timeZone },
    clock,
    log,
  });
  return { service, subscriptions, log };
}

let coldStart: Promise<LambdaDigest> | undefined;

export const handler = digestHandler(() => {
  // The chart's wasm and font were copied beside this bundle at build time.
  coldStart ??= buildLambdaDigest(loadConfig(process.env as Env), {
    assetDir: dirname(fileURLToPath(import.meta.url)),
  });
  return coldStart;
});
