/**
 * Slack requests as Slack sends them: signed with v0 HMAC-SHA256 over
 * `v0:<timestamp>:<body>`, form-encoded slash commands and `payload=`
 * block_actions, wrapped as a Lambda Function URL event.
 */
import { createHmac } from 'node:crypto';
import type { APIGatewayProxyEventV2 } from 'aws-lambda';

export const SIGNING_SECRET = 'test-signing-secret-not-real';

export function sign(body: string, ts: number, secret = SIGNING_SECRET): string {
  return `v0=${createHmac('sha256', secret).update(`v0:${ts}:${body}`).digest('hex')}`;
}

export interface SignOptions {
  ts?: number;
  secret?: string;
  /** Replace the signature header (or drop it with `null`). */
  signature?: string | null;
  headers?: Record<string, string>;
  base64?: boolean;
}

export function lambdaEvent(
  body: string,
  contentType: string,
  opts: SignOptions = {},
): APIGatewayProxyEventV2 {
  const ts = opts.ts ?? Math.floor(Date.now() / 1000);
  const signature = opts.signature === undefined ? sign(body, ts, opts.secret) : opts.signature;
  const headers: Record<string, string> = {
    'content-type': contentType,
    'x-slack-request-timestamp': String(ts),
    ...(signature === null ? {} : { 'x-slack-signature': signature }),
    ...opts.headers,
  };
  return {
    version: '2.0',
    routeKey: '$default',
    rawPath: '/slack/events',
    rawQueryString: '',
    headers,
    body: opts.base64 ? Buffer.from(body).toString('base64') : body,
    isBase64Encoded: !!opts.base64,
    requestContext: {
      accountId: '123456789012',
      apiId: 'url',
      domainName: 'x.lambda-url.us-east-1.on.aws',
      domainPrefix: 'x',
      http: {
        method: 'POST',
        path: '/slack/events',
        protocol: 'HTTP/1.1',
        sourceIp: '127.0.0.1',
        userAgent: 'Slackbot 1.0',
      },
      requestId: 'req',
      routeKey: '$default',
      stage: '$default',
      time: '',
      timeEpoch: Date.now(),
    },
  };
}

export function slashCommandBody(
  text: string,
  opts: { user?: string; channel?: string; responseUrl?: string } = {},
): string {
  return new URLSearchParams({
    token: 'deprecated-verification-token',
    team_id: 'T0TEAM',
    team_domain: 'acme',
    channel_id: opts.channel ?? 'C0WEB',
    channel_name: 'web-team',
    user_id: opts.user ?? 'U0ALICE',
    user_name: 'alice',
    command: '/ec2',
    text,
    api_app_id: 'A0APP',
    is_enterprise_install: 'false',
    response_url: opts.responseUrl ?? 'https://hooks.slack.com/commands/T0TEAM/1/abc',
    trigger_id: `trigger-${Math.random().toString(36).slice(2)}`,
  }).toString();
}

export interface BlockActionOptions {
  actionId: string;
  blockId: string;
  messageTs: string;
  channel?: string;
  user?: string;
  selected?: string;
  /** A time picker's pick (`19:00`): the action is a `timepicker`. */
  selectedTime?: string;
  /** A button's value (default `stop`). */
  value?: string;
  responseUrl: string;
  actionTs?: string;
  ephemeral?: boolean;
}

export function blockActionBody(o: BlockActionOptions): string {
  const action =
    o.selectedTime !== undefined
      ? {
          type: 'timepicker',
          action_id: o.actionId,
          block_id: o.blockId,
          selected_time: o.selectedTime,
          action_ts: o.actionTs ?? String(Date.now() / 1000),
        }
      : o.selected !== undefined
        ? {
            type: 'static_select',
            action_id: o.actionId,
            block_id: o.blockId,
            selected_option: { text: { type: 'plain_text', text: o.selected }, value: o.selected },
            action_ts: o.actionTs ?? String(Date.now() / 1000),
          }
        : {
            type: 'button',
            action_id: o.actionId,
            block_id: o.blockId,
            value: o.value ?? 'stop',
            text: { type: 'plain_text', text: 'Stop' },
            action_ts: o.actionTs ?? String(Date.now() / 1000),
          };
  const payload = {
    type: 'block_actions',
    user: { id: o.user ?? 'U0ALICE', username: 'alice', name: 'alice', team_id: 'T0TEAM' },
    api_app_id: 'A0APP',
    token: 'deprecated-verification-token',
    container: {
      type: 'message',
      message_ts: o.messageTs,
      channel_id: o.channel ?? 'C0WEB',
      is_ephemeral: !!o.ephemeral,
    },
    trigger_id: `trigger-${Math.random().toString(36).slice(2)}`,
    team: { id: 'T0TEAM', domain: 'acme' },
    channel: { id: o.channel ?? 'C0WEB', name: 'web-team' },
    message: { type: 'message', ts: o.messageTs, text: 'nag' },
    response_url: o.responseUrl,
    actions: [action],
  };
  return new URLSearchParams({ payload: JSON.stringify(payload) }).toString();
}

export const FORM = 'application/x-www-form-urlencoded';
