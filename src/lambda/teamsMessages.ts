/**
 * The Teams messaging endpoint on Lambda (Function URL or HTTP API payload
 * 2.0): each request's Bot Framework token is checked, then the Agents SDK's
 * CloudAdapter runs the turn, and the response (including the invoke response an
 * `Action.Execute` click needs) goes back as the HTTP response.
 *
 * Lambda freezes the function once it answers, so a click, and a command
 * whose answer is not ready within half of CHAT_ACK_BUDGET, is answered with
 * an interim message and handed to an asynchronous invocation of this same
 * function (`handOff.ts`), which this handler also serves: it finishes the
 * work and sends the answer or rewrites the card through the connector.
 */
import type { APIGatewayProxyResultV2, Context } from 'aws-lambda';
import * as z from 'zod';
import { createTeamsEndpoint } from '../chat/teams/teamsApp.js';
import type { TeamsWork } from '../chat/teams/teamsLateWork.js';
import { worstCaseTryMs } from '../config/aws.js';
import { ConfigError, type Env } from '../config/index.js';
import { buildLambdaChat, type LambdaChatOptions } from './chatRuntime.js';
import { type HandOff, isHandOffEvent, lambdaHandOff } from './handOff.js';

const HttpEventSchema = z.object({
  headers: z.record(z.string(), z.string()).default({}),
  body: z.string().optional(),
  isBase64Encoded: z.boolean().default(false),
  requestContext: z.object({ http: z.object({ method: z.string() }) }),
});

type Handler = (event: unknown, context?: Context) => Promise<APIGatewayProxyResultV2>;

const TeamsWorkSchema = z.object({
  kind: z.enum(['teamsCommand', 'teamsClick']),
  activity: z.record(z.string(), z.unknown()),
  acknowledgedAt: z.optional(z.number()),
});

export interface TeamsMessagesOptions extends LambdaChatOptions {
  /** How work leaves the answering invocation; by default an async Invoke of this function. */
  handOff?: HandOff<TeamsWork>;
}

export async function createTeamsMessagesHandler(
  env: Env,
  opts: TeamsMessagesOptions = {},
): Promise<Handler> {
  const chat = await buildLambdaChat(env, {
    slack: () => import('./slackRuntime.js'),
    teams: () => import('./teamsRuntime.js'),
    consents: () => import('./chatConsents.js'),
    ...opts,
  });
  if (!chat.teams) {
    throw new ConfigError([
      'connections__serviceConnection__settings__clientId (or clientId) is required for the Teams function: the Azure Bot app id (TEAMS_ENABLED=true without it is for local trials only)',
    ]);
  }
  const { functionName, region, chat: timing } = chat.config.aws;
  const handOff =
    opts.handOff ??
    (functionName
      ? lambdaHandOff<TeamsWork>({ functionName, region, ackBudgetMs: timing.ackBudgetMs })
      : undefined);
  if (!handOff)
    chat.log.warn('not on Lambda (no AWS_LAMBDA_FUNCTION_NAME): Teams work runs before the answer');
  const endpoint = createTeamsEndpoint(chat.teams.transport, {
    core: chat.core,
    subscriptions: chat.subscriptions,
    installations: chat.installations,
    clock: chat.clock,
    log: chat.log,
    ackBudgetMs: timing.ackBudgetMs,
    deadlineMs: timing.actionDeadlineMs,
    tryBudgetMs: worstCaseTryMs(chat.config.aws.clients),
    handOff,
  });
  return async (event) => {
    if (isHandOffEvent(event)) {
      const work = TeamsWorkSchema.safeParse(event.lightsOutHandOff.work);
      if (!work.success) {
        chat.log.error('dropped a hand-off event this function cannot read', { error: work.error.message });
        return { statusCode: 400, body: '' };
      }
      // Logged, never rethrown: Lambda would run the work again.
      await endpoint.bot
        .runHandedOff(work.data)
        .catch((err: unknown) =>
          chat.log.error('teams work failed after its answer', { kind: work.data.kind, error: String(err) }),
        );
      return { statusCode: 200, body: '' };
    }
    const parsed = HttpEventSchema.safeParse(event);
    if (!parsed.success) {
      chat.log.warn('not an HTTP event', { issue: parsed.error.issues[0]?.message });
      return {
        statusCode: 400,
        body: JSON.stringify({ error: 'expected a Function URL or HTTP API (2.0) request' }),
      };
    }
    const e = parsed.data;
    const body =
      e.body !== undefined && e.isBase64Encoded ? Buffer.from(e.body, 'base64').toString('utf8') : e.body;
    const out = await endpoint.handle({ method: e.requestContext.http.method, headers: e.headers, body });
    return { statusCode: out.status, headers: out.headers, body: out.body };
  };
}

let ready: Promise<Handler> | undefined;

export const handler: Handler = async (event, context) => {
  ready ??= createTeamsMessagesHandler(process.env).catch((err: unknown) => {
    ready = undefined;
    throw err;
  });
  return (await ready)(event, context);
};
