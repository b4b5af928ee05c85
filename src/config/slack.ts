/**
 * Slack settings. Three ways to run, chosen by what is set:
 * - Socket Mode (single process): SLACK_BOT_TOKEN + SLACK_APP_TOKEN;
 * - HTTP (single process on PORT): SLACK_BOT_TOKEN + SLACK_SIGNING_SECRET;
 * - Lambda: SLACK_SECRET_ARN naming a JSON secret `{"signingSecret","botToken"}`
 *   read at cold start (secrets never sit in Lambda environment variables).
 * Nothing Slack-related set means Slack is off.
 */
import type { EnvReader } from './env.js';

export type SlackRepeatMode = 'update' | 'new-message';

export interface SlackConfig {
  enabled: boolean;
  signingSecret?: string;
  botToken?: string;
  /** Socket Mode app-level token (`xapp-…`); single process only. */
  appToken?: string;
  /** Lambda: Secrets Manager secret holding `{"signingSecret": "…", "botToken": "xoxb-…"}`. */
  secretArn?: string;
  /** Single process HTTP receiver port (shared with Teams' /api/messages). */
  port: number;
  /** Web API base URL, ending in `/` (GovSlack, proxies, tests). */
  apiUrl: string;
  /** Channel id receiving nags for groups no channel subscribed to. */
  fallbackChannel?: string;
  /** Group → Slack user (U…/W…) or user-group (S…) ids allowed to stop its instances. */
  stopAllow: Record<string, string[]>;
  /** Slack user or user-group ids allowed to change subscriptions. Empty = everyone. */
  admins: string[];
  /** `update`: repeat nags edit the first message and reply in its thread; `new-message`: post anew. */
  repeatNags: SlackRepeatMode;
}

const SLACK_ID_RE = /^[USW][A-Z0-9]{2,}$/;
const CHANNEL_RE = /^[CGD][A-Z0-9]{2,}$/;

function idList(r: EnvReader, name: string, raw: string[]): string[] {
  const bad = raw.filter((id) => !SLACK_ID_RE.test(id));
  for (const id of bad) {
    r.problems.push(`${name} must list Slack user (U…) or user-group (S…) ids; got "${id}"`);
  }
  return raw.filter((id) => SLACK_ID_RE.test(id));
}

export function readSlackConfig(r: EnvReader): SlackConfig {
  const botToken = r.matching('SLACK_BOT_TOKEN', /^xoxb-/, 'a bot token starting with xoxb-');
  const appToken = r.matching(
    'SLACK_APP_TOKEN',
    /^xapp-/,
    'an app-level token starting with xapp- (Socket Mode)',
  );
  const signingSecret = r.string('SLACK_SIGNING_SECRET');
  const secretArn = r.matching(
    'SLACK_SECRET_ARN',
    /^arn:aws[\w-]*:secretsmanager:/,
    'a Secrets Manager secret ARN',
  );
  const apiUrl = r.url('SLACK_API_URL') ?? 'https://slack.com/api/';

  if (secretArn && (botToken || signingSecret)) {
    r.problems.push(
      'SLACK_SECRET_ARN and SLACK_BOT_TOKEN/SLACK_SIGNING_SECRET are both set: on Lambda keep the secrets in SLACK_SECRET_ARN only; in the single process drop SLACK_SECRET_ARN',
    );
  }
  if (secretArn && appToken) {
    r.problems.push(
      'SLACK_APP_TOKEN (Socket Mode) cannot be used with SLACK_SECRET_ARN (Lambda); unset one of them',
    );
  }
  if (!secretArn && (appToken || signingSecret) && !r.has('SLACK_BOT_TOKEN')) {
    r.problems.push(
      'SLACK_BOT_TOKEN is required when SLACK_APP_TOKEN or SLACK_SIGNING_SECRET is set: the xoxb- bot token',
    );
  }
  if (!secretArn && r.has('SLACK_BOT_TOKEN') && !appToken && !signingSecret) {
    r.problems.push(
      'SLACK_SIGNING_SECRET is required for the HTTP receiver (or set SLACK_APP_TOKEN to use Socket Mode): the app\'s signing secret from "Basic Information"',
    );
  }

  return {
    enabled: !!(secretArn || botToken),
    signingSecret,
    botToken,
    appToken,
    secretArn,
    port: r.int('PORT', 3000, { min: 1, max: 65_535 }),
    apiUrl: apiUrl.endsWith('/') ? apiUrl : `${apiUrl}/`,
    fallbackChannel: r.matching(
      'SLACK_FALLBACK_CHANNEL',
      CHANNEL_RE,
      'a Slack channel id such as C0123456789',
    ),
    // `web=U123,S456;db=U789`: who may stop each group's instances.
    stopAllow: r.groupLists('SLACK_STOP_ALLOW', 'web=U123,S456;db=U789', (ids) =>
      idList(r, 'SLACK_STOP_ALLOW', ids),
    ),
    admins: idList(r, 'SLACK_ADMINS', r.list('SLACK_ADMINS')),
    repeatNags: r.oneOf('SLACK_REPEAT_NAGS', ['update', 'new-message'] as const, 'update'),
  };
}

/** Lambda: fills the secrets in from the JSON secret named by SLACK_SECRET_ARN; names what is missing. */
export function withSlackSecret(
  config: SlackConfig,
  secretJson: string,
): SlackConfig & { signingSecret: string; botToken: string } {
  let parsed: unknown;
  try {
    parsed = JSON.parse(secretJson);
  } catch {
    throw new Error(
      'The secret named by SLACK_SECRET_ARN must be JSON: {"signingSecret": "…", "botToken": "xoxb-…"}',
    );
  }
  const s = (parsed ?? {}) as { signingSecret?: unknown; botToken?: unknown };
  const missing = [
    typeof s.signingSecret === 'string' && s.signingSecret ? '' : 'signingSecret',
    typeof s.botToken === 'string' && s.botToken.startsWith('xoxb-') ? '' : 'botToken (xoxb-…)',
  ].filter(Boolean);
  if (missing.length) {
    throw new Error(`The secret named by SLACK_SECRET_ARN lacks ${missing.join(' and ')}`);
  }
  return { ...config, signingSecret: s.signingSecret as string, botToken: s.botToken as string };
}
