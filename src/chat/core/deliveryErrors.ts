/**
 * What a failed chat call means for delivery, whichever platform and SDK
 * raised it. Gateways throw their SDK's errors; the chat core classifies them
 * here by shape (Slack Web API error codes, HTTP statuses of the Teams
 * connector), so a gateway rewritten on another SDK keeps the same behaviour.
 *
 * - `permanent`: retrying cannot help (the channel is gone, the app was
 *   removed or lost its token or scope): mark undelivered, say so once, stop.
 * - `unsure`: the request may have been applied (a timeout, a dropped
 *   connection, a 5xx): a post must be looked up before it is sent again.
 * - `transient`: not applied (rate limited, refused before processing): retry.
 */

/** Slack Web API errors that no retry will fix. */
export const SLACK_PERMANENT_ERRORS = new Set([
  'channel_not_found',
  'not_in_channel',
  'is_archived',
  'invalid_auth',
  'account_inactive',
  'token_revoked',
  'token_expired',
  'missing_scope',
  'not_authed',
  'team_access_not_granted',
  'restricted_action',
]);

/** Teams/Bot Framework error codes that mean the bot can no longer reach the conversation. */
const TEAMS_PERMANENT_CODES = new Set([
  'BotNotInConversationRoster',
  'ConversationNotFound',
  'BotDisabledByAdmin',
  'Forbidden',
  'NotFound',
]);

export type ChatFailure =
  | { kind: 'permanent'; reason: string }
  | { kind: 'unsure'; reason: string }
  | { kind: 'transient'; reason: string };

interface ErrorShape {
  code?: string;
  message?: string;
  statusCode?: number;
  status?: number;
  name?: string;
  data?: { error?: string };
  /** The Agents SDK's HttpError keeps the connector's answer here: `{ error: { code, message } }`. */
  response?: { status?: number; data?: { error?: { code?: string } } };
  body?: { error?: { code?: string } };
}

const shape = (err: unknown): ErrorShape => (err && typeof err === 'object' ? (err as ErrorShape) : {});

/** Walks `cause` links: gateways and timeouts wrap the SDK's error. */
function chain(err: unknown): ErrorShape[] {
  const out: ErrorShape[] = [];
  let current: unknown = err;
  for (let i = 0; i < 5 && current; i++) {
    out.push(shape(current));
    current = (current as { cause?: unknown }).cause;
  }
  return out;
}

/** Classifies a failed chat call; see the file comment for what each kind means. */
export function classifyChatFailure(err: unknown): ChatFailure {
  for (const e of chain(err)) {
    if (e.code === 'permanent_chat_error') return { kind: 'permanent', reason: e.message ?? 'permanent' };
    const slack = e.data?.error;
    if (slack && SLACK_PERMANENT_ERRORS.has(slack)) return { kind: 'permanent', reason: slack };
    if (e.code === 'slack_webapi_rate_limited_error') return { kind: 'transient', reason: 'rate limited' };
    if (slack) return { kind: 'transient', reason: slack };
    const status = e.statusCode ?? e.status ?? e.response?.status;
    const teamsCode = e.response?.data?.error?.code ?? e.body?.error?.code;
    // A code that says "never" counts only on a client error; a 5xx may still have been applied.
    if (teamsCode && TEAMS_PERMANENT_CODES.has(teamsCode) && !(status !== undefined && status >= 500))
      return { kind: 'permanent', reason: teamsCode };
    if (status === 403 || status === 404 || status === 401) {
      return { kind: 'permanent', reason: `HTTP ${status}${teamsCode ? ` ${teamsCode}` : ''}` };
    }
    if (status === 429) return { kind: 'transient', reason: 'HTTP 429' };
    if (status !== undefined && status >= 500) return { kind: 'unsure', reason: `HTTP ${status}` };
    if (e.code === 'slack_webapi_request_error' || e.code === 'slack_webapi_http_error') {
      return { kind: 'unsure', reason: e.message ?? e.code };
    }
    if (e.code === 'chat_timeout' || e.name === 'TimeoutError' || e.name === 'AbortError') {
      return { kind: 'unsure', reason: e.message ?? 'timed out' };
    }
  }
  const message = err instanceof Error ? err.message : String(err);
  // Errors of unknown shape (a connection reset, a bug) may have been applied: treat as unsure.
  return { kind: 'unsure', reason: message };
}

/** Thrown by delivery when a channel took longer than its timeout; the call may still land. */
export class ChannelTimeoutError extends Error {
  readonly code = 'chat_timeout';
  constructor(channel: string, seconds: number) {
    super(`${channel} did not answer within ${seconds} s`);
    this.name = 'ChannelTimeoutError';
  }
}

/** Runs `work`, failing with ChannelTimeoutError after `seconds` (the work itself is not cancelled). */
export async function withChannelTimeout<T>(
  channel: string,
  seconds: number,
  work: () => Promise<T>,
): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new ChannelTimeoutError(channel, seconds)), seconds * 1000);
  });
  try {
    return await Promise.race([work(), timeout]);
  } finally {
    clearTimeout(timer);
  }
}
