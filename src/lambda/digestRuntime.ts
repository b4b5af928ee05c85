/**
 * The weekly digest on AWS, shared by its two functions: `digest` posts to
 * Slack (with the chart: echarts, resvg's WebAssembly build and a font) and
 * `teamsDigest` posts to Teams (an Adaptive Card of tables, no chart). One
 * function per platform because together they would carry the Agents SDK and
 * the chart renderer at once, and every function with Teams code must stay
 * within 1.0 MB; each function sends the digests of its own platform's
 * channels only, so no digest is handed from one to the other.
 *
 * An hourly EventBridge rule invokes both with no payload: every channel of
 * the function's platform whose Monday 09:00 has come gets its digest (the
 * week is claimed in the table, so a rule that fires twice, or a retry, sends
 * one; docs/digest.md says when a failure after the post can repeat it). `/ec2 digest now` invokes the function of the asking platform
 * asynchronously with the channel:
 * `{ "sendNow": { "platform": "slack", "channelId": "C0…" } }`.
 */
import { SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import type { Context } from 'aws-lambda';
import { configureAwsClients, dynamoDocumentClient } from '../aws/clients.js';
import { DynamoDigestSettingsStore } from '../aws/dynamodb/digestSettingsStore.js';
import { DynamoInstanceStore } from '../aws/dynamodb/instanceStore.js';
import { DynamoRunHistory } from '../aws/dynamodb/runHistory.js';
import { DynamoSubscriptionStore } from '../aws/dynamodb/subscriptionStore.js';
import { type Config, ConfigError } from '../config/index.js';
import type { ChatPlatform } from '../core/instance.js';
import { createLogger, type Log } from '../log.js';
import { type Clock, systemClock } from '../ports/clock.js';
import type { DigestPoster } from '../ports/digestPoster.js';
import type { ChannelRef } from '../ports/subscriptionStore.js';
import { type DigestOutcome, WeeklyDigestService } from '../services/digest/weeklyDigest.js';

export interface DigestEvent {
  sendNow?: Pick<ChannelRef, 'platform' | 'channelId'>;
}

export interface LambdaDigest {
  service: WeeklyDigestService;
  subscriptions: DynamoSubscriptionStore;
  /** The platform whose channels this function posts to. */
  platform: ChatPlatform;
  log: Log & { addContext?: (c: Context) => void };
}

/** What a platform's entry gives the shared wiring: its poster, built at cold start. */
export interface DigestPosterFactory {
  platform: ChatPlatform;
  /** Undefined when the platform is not configured for this deployment. */
  build(
    config: Config,
    log: Log,
    deps: { secrets: SecretsManagerClient; doc: ReturnType<typeof dynamoDocumentClient>; table: string },
  ): Promise<DigestPoster | undefined>;
}

/** Builds the handler over its dependencies; tests pass them with a virtual clock. */
export function digestHandler(deps: () => Promise<LambdaDigest>) {
  return async (event: DigestEvent = {}, context?: Context): Promise<DigestOutcome[]> => {
    const { service, subscriptions, platform, log } = await deps();
    if (context) log.addContext?.(context);
    if (event.sendNow) {
      const channel = `${event.sendNow.platform}:${event.sendNow.channelId}`;
      // The chat functions ask the function of their own platform; another platform's channel is a wiring fault.
      if (event.sendNow.platform !== platform)
        return [{ channel, sent: false, reason: `this function posts ${platform} digests only` }];
      const [sub] = await subscriptions.forChannel(event.sendNow);
      if (!sub) return [{ channel, sent: false, reason: 'this channel follows no group' }];
      await service.sendNow(sub.channel);
      return [{ channel, sent: true, reason: 'asked for now' }];
    }
    const outcomes = await service.runDue();
    for (const o of outcomes.filter((x) => x.sent || x.reason.startsWith('failed')))
      log.info('weekly digest', { ...o });
    return outcomes;
  };
}

/** The digest's wiring from config: DynamoDB stores and the one platform's poster. */
export async function buildLambdaDigest(
  config: Config,
  poster: DigestPosterFactory,
  opts: { clock?: Clock; secrets?: SecretsManagerClient } = {},
): Promise<LambdaDigest> {
  configureAwsClients(config.aws.clients);
  const log = createLogger(`lightsout-${poster.platform}-digest`, config.logLevel);
  if (!config.store.tableName)
    throw new ConfigError(['TABLE_NAME is required on Lambda: the Lights Out DynamoDB table']);
  const region = config.monitor.regions[0] ?? 'us-east-1';
  const clock = opts.clock ?? systemClock;
  const secrets = opts.secrets ?? new SecretsManagerClient({ region });
  const doc = dynamoDocumentClient(region);
  const table = config.store.tableName;
  const built = await poster.build(config, log, { secrets, doc, table });
  if (!built)
    throw new ConfigError([
      `${poster.platform === 'slack' ? 'SLACK_SECRET_ARN' : 'the Teams client id (connections__serviceConnection__settings__clientId)'} is required: this function posts the ${poster.platform} digests`,
    ]);
  const subscriptions = new DynamoSubscriptionStore(doc, table);
  const service = new WeeklyDigestService({
    history: new DynamoRunHistory(doc, table, { retentionDays: config.digest.historyRetentionDays }),
    store: new DynamoInstanceStore(doc, table, { clock }),
    ownerTag: config.monitor.ownerTag,
    subscriptions,
    settings: new DynamoDigestSettingsStore(doc, table),
    posters: [built],
    defaults: { cadence: config.digest.defaultCadence, timeZone: config.digest.timeZone },
    clock,
    log,
  });
  return { service, subscriptions, platform: poster.platform, log };
}
