/**
 * Slack at Lambda cold start: the signing secret and bot token from Secrets
 * Manager (SLACK_SECRET_ARN), the Web API client, the gateway and the
 * workload progress poster. Loaded through `import()` by the functions that
 * serve Slack, and only when Slack is configured, so a Teams-only deployment
 * never loads the Slack client.
 */
import { GetSecretValueCommand, type SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import type { WebClient } from '@slack/web-api';
import { awsCall } from '../aws/errors.js';
import type { AccessPolicy } from '../chat/core/authorizer.js';
import { SlackGateway } from '../chat/slack/slackGateway.js';
import { SlackOwnerDirectory } from '../chat/slack/slackOwnerDirectory.js';
import { createSlackPostClient, createSlackWebClient } from '../chat/slack/slackWebClient.js';
import { SlackWorkloadProgressPoster } from '../chat/slack/slackWorkloadProgress.js';
import { type Config, ConfigError } from '../config/index.js';
import { type SlackConfig, withSlackSecret } from '../config/slack.js';
import type { Log } from '../log.js';
import type { ChatGateway } from '../ports/chat.js';
import type { OwnerDirectory } from '../ports/ownerDirectory.js';
import type { ChannelRef } from '../ports/subscriptionStore.js';
import type { WorkloadProgressPoster } from '../ports/workloadProgress.js';

export interface LambdaSlack {
  config: SlackConfig & { signingSecret: string; botToken: string };
  client: WebClient;
  gateway: ChatGateway;
  /** Finds instance owners' DMs (users.lookupByEmail, conversations.open). */
  ownerDirectory: OwnerDirectory;
  policy: AccessPolicy;
  fallbackChannel?: ChannelRef;
  /** Keeps a workload run's Slack progress message updated. */
  workloadProgress: WorkloadProgressPoster;
}

/** Reads SLACK_SECRET_ARN's JSON secret once; the values never reach the logs. */
export async function slackAtColdStart(
  config: Config,
  log: Log,
  deps: { secrets: SecretsManagerClient },
): Promise<LambdaSlack> {
  const arn = config.slack.secretArn;
  if (!arn) {
    throw new ConfigError([
      'SLACK_SECRET_ARN is required on Lambda: a Secrets Manager secret {"signingSecret","botToken"}',
    ]);
  }
  const res = await awsCall(`GetSecretValue ${arn}`, () =>
    deps.secrets.send(new GetSecretValueCommand({ SecretId: arn })),
  );
  const slack = withSlackSecret(config.slack, res.SecretString ?? '');
  const client = createSlackWebClient(slack, log);
  return {
    config: slack,
    client,
    gateway: new SlackGateway(
      client,
      createSlackPostClient(slack, config.delivery.channelTimeoutSeconds, log),
    ),
    ownerDirectory: new SlackOwnerDirectory(client),
    policy: { stopAllow: slack.stopAllow, admins: slack.admins },
    fallbackChannel: slack.fallbackChannel
      ? { platform: 'slack', channelId: slack.fallbackChannel }
      : undefined,
    workloadProgress: new SlackWorkloadProgressPoster(client),
  };
}
