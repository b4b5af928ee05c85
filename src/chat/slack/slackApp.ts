/**
 * Bolt app construction for every runtime (Lambda receiver, HTTP on the
 * shared local server, Socket Mode). The Web API client always uses the
 * configured base URL (SLACK_API_URL) and waits out 429s for Retry-After.
 */
import { App, type Receiver } from '@slack/bolt';
import type { SlackConfig } from '../../config/slack.js';
import type { Log } from '../../log.js';
import { registerSlackListeners, type SlackListenerDeps } from './listeners.js';
import { slackClientOptions, slackLogger } from './slackWebClient.js';

/** Bolt's logger is the Web API client's; kept under this name for the receivers. */
export const boltLogger = slackLogger;
export { createSlackWebClient, slackClientOptions } from './slackWebClient.js';

export type SlackTransport = { receiver: Receiver } | { socketMode: true; appToken: string };

export interface SlackAppOptions {
  config: SlackConfig & { botToken: string };
  transport: SlackTransport;
  listeners: SlackListenerDeps;
  log: Log;
}

export function createSlackApp(opts: SlackAppOptions): App {
  const { config, transport, log } = opts;
  const app = new App({
    token: config.botToken,
    ...('receiver' in transport
      ? { receiver: transport.receiver }
      : { socketMode: true, appToken: transport.appToken }),
    clientOptions: slackClientOptions(config),
    logger: boltLogger(log),
    // auth.test at start-up would cost every Lambda cold start a round trip;
    // a wrong token still fails loudly on the first Web API call.
    tokenVerificationEnabled: false,
  });
  app.error(async (err) => {
    log.error('unhandled Slack listener error', {
      error: err.message,
      code: (err as { code?: string }).code,
    });
  });
  registerSlackListeners(app, opts.listeners);
  return app;
}
