/**
 * The Slack Web API client as every runtime builds it, without Bolt: the
 * SNS notifier and the Teams function post through it and should not carry
 * Bolt's receivers. Base URL from SLACK_API_URL; 429s wait for Retry-After.
 */
import { type Logger, LogLevel, WebClient, type WebClientOptions } from '@slack/web-api';
import type { SlackConfig } from '../../config/slack.js';
import type { Log } from '../../log.js';

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
    ...(log ? { logger: slackLogger(log), logLevel: LogLevel.INFO } : {}),
  };
}

export function createSlackWebClient(
  config: Pick<SlackConfig, 'apiUrl'> & { botToken: string },
  log?: Log,
): WebClient {
  return new WebClient(config.botToken, slackClientOptions(config, log));
}

/** Routes Bolt's and the Web API client's logs into our structured logger. */
export function slackLogger(log: Log): Logger {
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

/**
 * The client nag posts go through: it never retries by itself, because a post
 * that timed out or got a 5xx may have landed, and a blind retry posts twice
 * (SlackGateway looks the post up instead). A 429 is not retried either: the
 * delivery retries it later, as it was certainly not posted. Its timeout stays
 * inside the channel's delivery timeout, leaving time for the lookup.
 */
export function createSlackPostClient(
  config: Pick<SlackConfig, 'apiUrl'> & { botToken: string },
  channelTimeoutSeconds: number,
  log?: Log,
): WebClient {
  return new WebClient(config.botToken, {
    ...slackClientOptions(config, log),
    retryConfig: { retries: 0 },
    rejectRateLimitedCalls: true,
    timeout: Math.max(500, Math.min(10_000, (channelTimeoutSeconds * 1000) / 2)),
  });
}

/**
 * The client the weekly digest posts through. A digest is posted under a
 * claim on its week that runs out after 15 minutes, so every call must end
 * in bounded time: a 429 fails the post (the claim is given back and the next
 * tick tries again) instead of waiting out Retry-After, and each call has a
 * few quick retries within its timeout. Worst case about 45 s per call.
 */
export function createSlackDigestClient(
  config: Pick<SlackConfig, 'apiUrl'> & { botToken: string },
  log?: Log,
): WebClient {
  return new WebClient(config.botToken, {
    ...slackClientOptions(config, log),
    rejectRateLimitedCalls: true,
  });
}
