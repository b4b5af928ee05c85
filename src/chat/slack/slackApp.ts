/**
 * Bolt app construction for every runtime (Lambda receiver, HTTP on the
 * shared local server, Socket Mode). The Web API client always uses the
 * configured base URL (SLACK_API_URL) and waits out 429s for Retry-After.
 */
import { App, type Authorize, type Receiver, SocketModeReceiver } from '@slack/bolt';
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
    authorize: cachedBotAuthorization(config),
    receiver,
    clientOptions: slackClientOptions(config),
    logger: boltLogger(log),
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
 * The bot's identity (for Bolt's ignoreSelf) from one `auth.test` per process,
 * on the first request. Bolt's own single-token authorization runs auth.test
 * either at start-up (a round trip on every Lambda cold start) or, with
 * `tokenVerificationEnabled: false`, again on every request. A failed lookup
 * is not cached, so the next request tries again; a wrong token fails loudly.
 */
export function cachedBotAuthorization(
  config: Pick<SlackConfig, 'apiUrl'> & { botToken: string },
): Authorize<boolean> {
  const client = new WebClient(config.botToken, slackClientOptions(config));
  let identity: Promise<{ botId?: string; botUserId?: string }> | undefined;
  return async () => {
    identity ??= client.auth.test().then(
      (res) => ({ botId: res.bot_id, botUserId: res.user_id }),
      (err: unknown) => {
        identity = undefined;
        throw err;
      },
    );
    return { botToken: config.botToken, ...(await identity) };
  };
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
