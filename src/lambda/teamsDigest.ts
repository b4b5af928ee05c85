/**
 * The weekly digest for Teams channels: one Adaptive Card with the figures as
 * tables, and no chart, so this function carries the Agents SDK without the
 * chart renderer and stays within the 1.0 MB every function with Teams code
 * keeps to. Slack channels get theirs from `digest` (see digestRuntime.ts).
 */
import { DynamoChatInstallationStore } from '../aws/dynamodb/chatInstallationStore.js';
import { TeamsDigestPoster } from '../chat/teams/digestCard.js';
import { type Env, loadConfig } from '../config/index.js';
import {
  buildLambdaDigest,
  type DigestPosterFactory,
  digestHandler,
  type LambdaDigest,
} from './digestRuntime.js';

export const teamsDigestPoster: DigestPosterFactory = {
  platform: 'teams',
  async build(config, log, { secrets, doc, table }) {
    if (!config.teams.enabled) return undefined;
    const installations = new DynamoChatInstallationStore(doc, table);
    const teams = await (await import('./teamsRuntime.js')).teamsAtColdStart(config, log, {
      secrets,
      installations,
    });
    return teams ? new TeamsDigestPoster(teams.transport.gateway) : undefined;
  },
};

let coldStart: Promise<LambdaDigest> | undefined;

export const handler = digestHandler(() => {
  coldStart ??= buildLambdaDigest(loadConfig(process.env as Env), teamsDigestPoster);
  return coldStart;
});
