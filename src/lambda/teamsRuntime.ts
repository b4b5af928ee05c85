/**
 * Teams at Lambda cold start: the bot's client secret from Secrets Manager
 * (TEAMS_SECRET_ARN, never a plain environment variable), the CloudAdapter
 * and the Teams gateway, the access policy and the fallback channel. The
 * chat Lambda wiring (`chatRuntime.ts`) adds the gateway to the chat core.
 */
import { GetSecretValueCommand, type SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { awsCall } from '../aws/errors.js';
import type { AccessPolicy } from '../chat/core/authorizer.js';
import {
  createTeamsTransport,
  type TeamsTransport,
  teamsAccessPolicy,
  teamsFallbackChannel,
} from '../chat/teams/teamsApp.js';
import { TeamsOwnerDirectory } from '../chat/teams/teamsOwnerDirectory.js';
import { TeamsWorkloadProgressPoster } from '../chat/teams/teamsWorkloadProgress.js';
import { type Config, ConfigError } from '../config/index.js';
import { withTeamsSecret } from '../config/teams.js';
import type { Log } from '../log.js';
import type { ChatInstallationStore } from '../ports/chatInstallationStore.js';
import type { OwnerDirectory } from '../ports/ownerDirectory.js';
import type { ChannelRef } from '../ports/subscriptionStore.js';
import type { WorkloadProgressPoster } from '../ports/workloadProgress.js';

export interface LambdaTeams {
  transport: TeamsTransport;
  policy: AccessPolicy;
  fallbackChannel?: ChannelRef;
  /** Finds instance owners' 1:1 chats (members by email/UPN in the teams the app is in). */
  ownerDirectory?: OwnerDirectory;
  /** Keeps a workload run's Teams progress card updated. */
  workloadProgress: WorkloadProgressPoster;
}

/** Undefined when Teams is not configured for this deployment. */
export async function teamsAtColdStart(
  config: Config,
  log: Log,
  deps: { secrets: SecretsManagerClient; installations: ChatInstallationStore },
): Promise<LambdaTeams | undefined> {
  const teams = config.teams;
  if (!teams.enabled) return undefined;
  if (teams.authType === 'UserManagedIdentity') {
    // A user-assigned managed identity gets its tokens from the Azure host's identity endpoint, which Lambda has not.
    throw new ConfigError([
      'authType UserManagedIdentity, formerly MicrosoftAppType (or MICROSOFT_APP_TYPE) UserAssignedMSI is not supported on Lambda: an Azure managed identity needs an Azure host. Register the bot as SingleTenant with a client secret in the TEAMS_SECRET_ARN secret as {"clientSecret": "…"}; UserManagedIdentity works in the single process (npm start) on Azure',
    ]);
  }
  let clientSecret: string | undefined;
  if (teams.clientId) {
    if (!teams.secretArn) {
      throw new ConfigError([
        'TEAMS_SECRET_ARN is required on Lambda when the Teams client id is set: a Secrets Manager secret {"clientSecret": "…"} (the client secret never sits in Lambda environment variables)',
      ]);
    }
    const arn = teams.secretArn;
    const res = await awsCall(`GetSecretValue ${arn}`, () =>
      deps.secrets.send(new GetSecretValueCommand({ SecretId: arn })),
    );
    clientSecret = withTeamsSecret(teams, res.SecretString ?? '').clientSecret;
  }
  const transport = createTeamsTransport(teams, log, { clientSecret, outboundTokens: 'clientCredentials' });
  return {
    transport,
    workloadProgress: new TeamsWorkloadProgressPoster(transport.gateway),
    ownerDirectory: new TeamsOwnerDirectory(transport.gateway, deps.installations),
    policy: teamsAccessPolicy(teams),
    fallbackChannel: await teamsFallbackChannel(teams, deps.installations),
  };
}
