/**
 * Bolt app construction for every runtime (Lambda receiver, HTTP on the
 * shared local server, Socket Mode). The Web API client always uses the
 * configured base URL (SLACK_API_URL) and waits out 429s for Retry-After.
 */
import { App, LogLevel, type Receiver, type Logger as SlackLogger } from '@slack/bolt';
import { WebClient, type WebClientOptions } from '@slack/web-api';
import type { SlackConfig } from '../../config/slack.js';
import type { Log } from '../../log.js';
import { registerSlackListeners, type SlackListenerDeps } from './listeners.js';

/**
 * Retries: transient network errors back off quickly; a 429 first waits the
 * Retry-After seconds Slack sent (the client pauses its queue), then retries.
 * Kept short because interactive requests must finish within Slack's 3 s.
 */
export function slackClientOptions(config: Pick<SlackConfig, 'apiUrl'>, log?: Log): WebClientOptions {
  return {
    slackApiUrl: config.apiUrl,
    rejectRateLimitedCalls: false,
    retryConfig: { retries: 3, factor: 2, minTimeout: 100, maxTimeout: 1_000, randomize: true },
    timeout: 10_000,
    ...(log ? { logger: boltLogger(log), logLevel: LogLevel.INFO } : {}),
  };
}

export function createSlackWebClient(
  config: Pick<SlackConfig, 'apiUrl'> & { botToken: string },
  log?: Log,
): WebClient {
  return new WebClient(config.botToken, slackClientOptions(config, log));
}

/** Routes Bolt's and the Web API client's logs into our structured logger. */
export function boltLogger(log: Log): SlackLogger {
  let level = LogLevel.INFO;
  const text = (msg: unknown[]) => msg.map((m) => (typeof m === 'string' ? m : JSON.stringify(m))).join(' ');
  return {
    debug: (...msg) => log.debug(text(msg)),
    info: (...msg) => log.info(text(msg)),
    warn: (...msg) => log.warn(text(msg)),
    error: (...msg) => log.error(text(msg)),
    setLevel: (l) => {
      level = l;
    },
    getLevel: () => level,
    setName: () => undefined,
  };
}

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
