/**
 * Teams in the single process: the messaging endpoint
 * `/api/messages` mounted on the shared HTTP server (PORT, next to Slack's
 * `/slack/events`), and the Teams gateway in the chat core so nags reach
 * subscribed Teams channels. Installations live in the same SQLite file.
 */

import { TeamsDigestPoster } from '../chat/teams/digestCard.js';
import {
  createTeamsEndpoint,
  createTeamsTransport,
  teamsAccessPolicy,
  teamsFallbackChannel,
} from '../chat/teams/teamsApp.js';
import { TeamsOwnerDirectory } from '../chat/teams/teamsOwnerDirectory.js';
import { TeamsWorkloadProgressPoster } from '../chat/teams/teamsWorkloadProgress.js';
import { worstCaseTryMs } from '../config/aws.js';
import { SqliteChatInstallationStore } from '../sqlite/chatInstallationStore.js';
import type { LocalPlatformFactory } from './chat.js';

export const TEAMS_MESSAGES_PATH = '/api/messages';

export const teamsPlatform: LocalPlatformFactory = async ({ config, log, db }) => {
  const t = config.teams;
  if (!t.enabled) return undefined;
  if (t.clientId && t.authType === 'ClientSecret' && !t.clientSecret) {
    throw new Error(
      'TEAMS_SECRET_ARN is for Lambda; the single process needs connections__serviceConnection__settings__clientSecret (or clientSecret)',
    );
  }
  const installations = new SqliteChatInstallationStore(db);
  const transport = createTeamsTransport(t, log);
  return {
    platform: 'teams',
    gateway: transport.gateway,
    policy: teamsAccessPolicy(t),
    fallbackChannel: await teamsFallbackChannel(t, installations),
    workloadProgress: new TeamsWorkloadProgressPoster(transport.gateway),
    ownerDirectory: new TeamsOwnerDirectory(transport.gateway, installations),
    digestPoster: new TeamsDigestPoster(transport.gateway),
    async start({ core, subscriptions, http, clock, late }) {
      // This process keeps running after an answer: late work finishes here, not in a hand-off.
      const endpoint = createTeamsEndpoint(transport, {
        core,
        subscriptions,
        installations,
        clock,
        log,
        ackBudgetMs: config.aws.chat.ackBudgetMs,
        deadlineMs: config.aws.chat.actionDeadlineMs,
        tryBudgetMs: worstCaseTryMs(config.aws.clients),
        keep: (p, name, follows) => late.keep(p, name, follows),
        // Clicks wait their turn in the queue Slack clicks use, four actions at a time.
        queue: (task, name) => late.run(task, name),
      });
      http.mount(TEAMS_MESSAGES_PATH, endpoint.listener);
      log.info('Teams messaging endpoint mounted', {
        path: TEAMS_MESSAGES_PATH,
        port: config.slack.port,
        authenticated: !!t.clientId,
      });
      return { stop: async () => undefined };
    },
  };
};
