/**
 * Slack's Request URL (slash commands, interactivity, events) behind a Lambda
 * Function URL or API Gateway HTTP API. Bolt's AwsLambdaReceiver checks the
 * signature of every request; a bad, missing or older-than-5-minutes
 * signature gets 401 before any listener runs, so it has no side effects.
 */

import { AwsLambdaReceiver } from '@slack/bolt';
import type { APIGatewayProxyEventV2, APIGatewayProxyResultV2, Context } from 'aws-lambda';
// zod/mini: the full zod build adds ~440 KB to this function's bundle for one small schema.
import * as z from 'zod/mini';
import { slackTimestampProblem } from '../chat/slack/requestTimestamp.js';
import { boltLogger, createSlackApp } from '../chat/slack/slackApp.js';
import { ConfigError, type Env } from '../config/index.js';
import { buildLambdaChat, type LambdaChatOptions } from './chatRuntime.js';

type Handler = (event: APIGatewayProxyEventV2, context: Context) => Promise<APIGatewayProxyResultV2>;

const EventSchema = z.object({
  headers: z._default(z.record(z.string(), z.optional(z.string())), {}),
  body: z.optional(z.string()),
  isBase64Encoded: z.optional(z.boolean()),
});

const header = (headers: Record<string, string | undefined>, name: string) =>
  Object.entries(headers).find(([k]) => k.toLowerCase() === name)?.[1];

export async function createSlackEventsHandler(env: Env, opts: LambdaChatOptions = {}): Promise<Handler> {
  const chat = await buildLambdaChat(env, { slack: () => import('./slackRuntime.js'), ...opts });
  const { log } = chat;
  const slack = chat.slack?.config;
  if (!slack) {
    throw new ConfigError([
      'SLACK_SECRET_ARN is required for the Slack function: a Secrets Manager secret {"signingSecret","botToken"}',
    ]);
  }
  const receiver = new AwsLambdaReceiver({
    signingSecret: slack.signingSecret,
    logger: boltLogger(log),
    invalidRequestSignatureHandler: ({ ts }) => {
      log.warn('rejected Slack request: bad, missing or expired signature', { requestTimestamp: ts });
    },
  });
  createSlackApp({
    config: slack,
    transport: { receiver },
    listeners: {
      commands: chat.core.commands('/ec2'),
      actions: chat.core.actions,
      subscriptions: chat.subscriptions,
      instances: chat.instances,
      clock: chat.clock,
      log,
    },
    log,
  });
  const inner = await receiver.start();

  return async (event, context) => {
    const parsed = EventSchema.safeParse(event);
    if (!parsed.success) {
      log.warn('rejected request that is not an HTTP event', { error: parsed.error.message });
      return { statusCode: 400, body: 'expected an HTTP request from a Function URL or API Gateway' };
    }
    const { headers } = parsed.data;
    // Wall-clock time, not the engine's clock: the window is about the network.
    const problem = slackTimestampProblem(header(headers, 'x-slack-request-timestamp'), Date.now());
    if (problem) {
      log.warn(`rejected Slack request: ${problem}`, {
        requestTimestamp: header(headers, 'x-slack-request-timestamp')?.slice(0, 20),
      });
      return { statusCode: 401, body: '' };
    }
    // Bolt decodes base64 bodies as ASCII and matches the content type exactly;
    // hand it UTF-8 text and a bare media type so non-ASCII input still verifies.
    const body = parsed.data.isBase64Encoded
      ? Buffer.from(parsed.data.body ?? '', 'base64').toString('utf8')
      : (parsed.data.body ?? '');
    const contentType = header(headers, 'content-type')?.split(';')[0]?.trim() ?? 'application/json';
    const normalized = {
      ...event,
      headers: { ...headers, 'content-type': contentType, 'Content-Type': contentType },
      body,
      isBase64Encoded: false,
    };
    return (await inner(normalized, context)) as APIGatewayProxyResultV2;
  };
}

let ready: Promise<Handler> | undefined;

export const handler: Handler = async (event, context) => {
  ready ??= createSlackEventsHandler(process.env).catch((err: unknown) => {
    // A failed cold start (secret unreadable, bad config) is retried on the next request.
    ready = undefined;
    throw err;
  });
  return (await ready)(event, context);
};
