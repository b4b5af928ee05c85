/**
 * Slack's Request URL (slash commands, interactivity, events) behind a Lambda
 * Function URL or API Gateway HTTP API. Bolt's AwsLambdaReceiver checks the
 * signature of every request; a bad, missing or older-than-5-minutes
 * signature gets 401 before any listener runs, so it has no side effects.
 *
 * Bolt's Lambda receiver answers only once the listener returns, and Lambda
 * freezes the function once it has answered. So a click's listener
 * acknowledges and hands the work to an asynchronous invocation of this same
 * function (`handOff.ts`), which this handler also serves: the answer never
 * waits on AWS beyond the hand-off itself. A slash command whose answer is
 * not ready within half of CHAT_ACK_BUDGET is handed on the same way.
 */

import { AwsLambdaReceiver } from '@slack/bolt';
import type { APIGatewayProxyEventV2, APIGatewayProxyResultV2, Context } from 'aws-lambda';
// zod/mini: the full zod build adds ~440 KB to this function's bundle for one small schema.
import * as z from 'zod/mini';
import type { ActionKind } from '../chat/core/actionPipeline.js';
import { slackTimestampProblem } from '../chat/slack/requestTimestamp.js';
import { boltLogger, createSlackApp } from '../chat/slack/slackApp.js';
import {
  reportSlackWorkFailure,
  runSlackWork,
  type SlackWork,
  type SlackWorkDeps,
} from '../chat/slack/slackWork.js';
import { worstCaseTryMs } from '../config/aws.js';
import { ConfigError, type Env } from '../config/index.js';
import { buildLambdaChat, type LambdaChatOptions } from './chatRuntime.js';
import { type HandOff, isHandOffEvent, lambdaHandOff } from './handOff.js';

type Handler = (event: APIGatewayProxyEventV2, context: Context) => Promise<APIGatewayProxyResultV2>;

export interface SlackEventsOptions extends LambdaChatOptions {
  /** How work leaves the answering invocation; by default an async Invoke of this function. */
  handOff?: HandOff<SlackWork>;
}

const User = z.object({ id: z.string(), name: z.optional(z.string()), username: z.optional(z.string()) });
const WorkBase = {
  token: z.string(),
  channelId: z.string(),
  messageTs: z.optional(z.string()),
  responseUrl: z.optional(z.string()),
  user: User,
  requestId: z.string(),
  acknowledgedAt: z.optional(z.number()),
};
/**
 * Every action a click can carry; the compiler refuses a kind the action
 * pipeline gains until it is listed here, where a missing one would have the
 * hand-off dropped (and the click never carried out) on Lambda only.
 */
const CLICK_ACTIONS = [
  'stop',
  'snooze',
  'extend',
  'stop-at',
  'stop-when-idle',
  'cancel-stop',
  'postpone-stop',
] as const satisfies readonly ActionKind[];
const everyClickAction: Exclude<ActionKind, (typeof CLICK_ACTIONS)[number]> extends never ? true : never =
  true;
void everyClickAction;

const SlackWorkSchema = z.union([
  z.object({
    kind: z.literal('click'),
    action: z.enum(CLICK_ACTIONS),
    choice: z.optional(z.string()),
    warningReply: z.optional(z.boolean()),
    ...WorkBase,
  }),
  z.object({ kind: z.literal('snoozeAt'), hour: z.number(), minute: z.number(), ...WorkBase }),
  z.object({
    kind: z.literal('command'),
    text: z.string(),
    channelId: z.string(),
    user: User,
    responseUrl: z.string(),
    requestId: z.string(),
  }),
]);

const EventSchema = z.object({
  headers: z._default(z.record(z.string(), z.optional(z.string())), {}),
  body: z.optional(z.string()),
  isBase64Encoded: z.optional(z.boolean()),
});

const header = (headers: Record<string, string | undefined>, name: string) =>
  Object.entries(headers).find(([k]) => k.toLowerCase() === name)?.[1];

export async function createSlackEventsHandler(env: Env, opts: SlackEventsOptions = {}): Promise<Handler> {
  const chat = await buildLambdaChat(env, {
    slack: () => import('./slackRuntime.js'),
    consents: () => import('./chatConsents.js'),
    ...opts,
  });
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
  const commands = chat.core.commands('/ec2');
  const workDeps: SlackWorkDeps = {
    actions: chat.core.actions,
    commands,
    client: chat.slack!.client,
    clock: chat.clock,
    log,
    deadlineMs: chat.config.aws.chat.actionDeadlineMs,
    tryBudgetMs: worstCaseTryMs(chat.config.aws.clients),
  };
  const { functionName, region, chat: timing } = chat.config.aws;
  const handOff =
    opts.handOff ??
    (functionName
      ? lambdaHandOff<SlackWork>({ functionName, region, ackBudgetMs: timing.ackBudgetMs })
      : undefined);
  if (!handOff) log.warn('not on Lambda (no AWS_LAMBDA_FUNCTION_NAME): clicks are answered after their work');
  createSlackApp({
    config: slack,
    transport: { receiver },
    listeners: {
      commands,
      actions: chat.core.actions,
      subscriptions: chat.subscriptions,
      instances: chat.instances,
      clock: chat.clock,
      log,
      dispatch: handOff ?? ((work) => runSlackWork(work, workDeps)),
      ackBudgetMs: timing.ackBudgetMs,
      handsOff: handOff !== undefined,
    },
    log,
  });
  const inner = await receiver.start();

  return async (event, context) => {
    if (isHandOffEvent(event)) {
      const work = SlackWorkSchema.safeParse(event.lightsOutHandOff.work);
      if (!work.success) {
        log.error('dropped a hand-off event this function cannot read', { error: work.error.message });
        return { statusCode: 400, body: '' };
      }
      // Failures are reported to the clicker and logged, never rethrown: Lambda would run the work again.
      await runSlackWork(work.data, workDeps).catch((err: unknown) =>
        reportSlackWorkFailure(workDeps.client, work.data, log, err),
      );
      return { statusCode: 200, body: '' };
    }
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
