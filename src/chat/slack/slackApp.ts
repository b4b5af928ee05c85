/**
 * Bolt app construction for every runtime (Lambda receiver, HTTP on the
 * shared local server, Socket Mode). The Web API client always uses the
 * configured base URL (SLACK_API_URL) and waits out 429s for Retry-After.
 */
import { App, type Receiver, SocketModeReceiver } from '@slack/bolt';
import { WebClient } from '@slack/web-api';
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
  const receiver =
    'receiver' in transport ? transport.receiver : socketModeReceiver(config, transport.appToken, log);
  const app = new App({
    token: config.botToken,
    receiver,
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

/**
 * Bolt builds the Socket Mode client without the app's clientOptions, so
 * `apps.connections.open` would always go to slack.com. Swap in a client on
 * the configured base URL (GovSlack, proxies, tests) with Socket Mode's own
 * reconnect-friendly retry policy.
 */
function socketModeReceiver(
  config: Pick<SlackConfig, 'apiUrl'>,
  appToken: string,
  log: Log,
): SocketModeReceiver {
  const receiver = new SocketModeReceiver({ appToken, logger: boltLogger(log) });
  const client = receiver.client as unknown as { webClient: WebClient };
  client.webClient = new WebClient('', {
    ...slackClientOptions(config, log),
    headers: { Authorization: `Bearer ${appToken}` },
    retryConfig: { retries: 100, factor: 1.3 },
  });
  return receiver;
}
