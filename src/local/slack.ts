/**
 * Slack in the single process: Socket Mode when SLACK_APP_TOKEN is set (no
 * public URL needed), otherwise Bolt's HTTP receiver mounted at
 * `/slack/events` on the shared server (PORT).
 */
import { HTTPReceiver } from '@slack/bolt';
import { boltLogger, createSlackApp, createSlackWebClient } from '../chat/slack/slackApp.js';
import { SlackGateway } from '../chat/slack/slackGateway.js';
import { SlackWorkloadProgressPoster } from '../chat/slack/slackWorkloadProgress.js';
import type { LocalPlatformFactory } from './chat.js';

export const SLACK_EVENTS_PATH = '/slack/events';

export const slackPlatform: LocalPlatformFactory = async ({ config, log }) => {
  const s = config.slack;
  if (!s.enabled) return undefined;
  if (!s.botToken) {
    throw new Error(
      'SLACK_SECRET_ARN is for Lambda; the single process needs SLACK_BOT_TOKEN (and SLACK_SIGNING_SECRET or SLACK_APP_TOKEN)',
    );
  }
  const slack = { ...s, botToken: s.botToken };
  const client = createSlackWebClient(slack, log);
  return {
    platform: 'slack',
    gateway: new SlackGateway(client),
    workloadProgress: new SlackWorkloadProgressPoster(client),
    policy: { stopAllow: s.stopAllow, admins: s.admins },
    fallbackChannel: s.fallbackChannel
      ? { platform: 'slack' as const, channelId: s.fallbackChannel }
      : undefined,
    async start({ core, subscriptions, instances, http, clock }) {
      const listeners = {
        commands: core.commands('/ec2'),
        actions: core.actions,
        subscriptions,
        instances,
        clock,
        log,
      };
      if (s.appToken) {
        const app = createSlackApp({
          config: slack,
          transport: { socketMode: true, appToken: s.appToken },
          listeners,
          log,
        });
        await app.start();
        log.info('Slack connected in Socket Mode');
        return { stop: async () => void (await app.stop()) };
      }
      const receiver = new HTTPReceiver({
        signingSecret: s.signingSecret ?? '',
        endpoints: SLACK_EVENTS_PATH,
        logger: boltLogger(log),
        // Respond only after the listener ran, so a command's reply is the HTTP response itself.
        processBeforeResponse: true,
      });
      createSlackApp({ config: slack, transport: { receiver }, listeners, log });
      http.mount(SLACK_EVENTS_PATH, receiver.requestListener);
      log.info('Slack HTTP receiver mounted', { path: SLACK_EVENTS_PATH, port: s.port });
      return { stop: async () => undefined };
    },
  };
};
