/**
 * How long Lights Out waits for AWS, and how long a chat request may wait for
 * Lights Out. Every SDK client gets these timeouts and retry budget
 * (`src/aws/clients.ts`); the chat budgets decide when a click is answered
 * and its work handed on instead of awaited.
 */
import type { EnvReader } from './env.js';

export interface AwsClientSettings {
  /** Time to open a TCP/TLS connection to an AWS endpoint. */
  connectTimeoutMs: number;
  /** Time for one attempt to get an answer once connected (a hung call fails after this). */
  requestTimeoutMs: number;
  /** SDK attempts per call, the first included. The only retries of an AWS call. */
  maxAttempts: number;
  /** `standard` backs off per call; `adaptive` also rate-limits the client after throttling. */
  retryMode: 'standard' | 'adaptive';
}

/**
 * Three attempts of at most 10 s: a hung call fails within about 30 s, and a
 * click's work (retried until CHAT_ACTION_DEADLINE) picks up again at most one
 * request timeout after AWS recovers.
 */
export const DEFAULT_AWS_CLIENT_SETTINGS: AwsClientSettings = {
  connectTimeoutMs: 3_000,
  requestTimeoutMs: 10_000,
  maxAttempts: 3,
  retryMode: 'standard',
};

/**
 * The longest one try of a click's action can take when AWS hangs: the
 * action's EC2 call and the re-read of the instance after it, each using
 * every SDK attempt (connection and request timeouts) with the SDK's backoff
 * between attempts (at most 500 ms doubling, capped at 20 s, for throttling).
 * The click retry starts no try that could end past CHAT_ACTION_DEADLINE, and
 * the Slack and Teams functions' timeouts leave room for one (infra/).
 */
export function worstCaseTryMs(clients: AwsClientSettings): number {
  const EC2_CALLS_PER_TRY = 2;
  let backoffMs = 0;
  for (let retry = 1; retry < clients.maxAttempts; retry++) backoffMs += Math.min(20_000, 500 * 2 ** retry);
  return (
    EC2_CALLS_PER_TRY *
    (clients.maxAttempts * (clients.connectTimeoutMs + clients.requestTimeoutMs) + backoffMs)
  );
}

export interface ChatTimingConfig {
  /**
   * Longest a chat request waits for its answer before it is acknowledged
   * anyway and the work continues (single process) or is handed to an
   * asynchronous invocation (Lambda). Slack gives up at 3 s.
   */
  ackBudgetMs: number;
  /** How long a click keeps retrying AWS failures that another try can fix before it reports failure. */
  actionDeadlineMs: number;
  /**
   * The single process's shutdown: how long it waits for chat work already
   * answered before it stops anyway, naming what is left. Inside a
   * supervisor's SIGTERM grace (30 s for Kubernetes and ECS by default).
   */
  shutdownDrainMs: number;
}

export interface AwsConfig {
  clients: AwsClientSettings;
  chat: ChatTimingConfig;
  /** This function's own name on Lambda (AWS_LAMBDA_FUNCTION_NAME, set by Lambda): chat work is handed to it. */
  functionName?: string;
  /** This function's region (AWS_REGION, set by Lambda). */
  region: string;
}

export function readAwsConfig(r: EnvReader): AwsConfig {
  const d = DEFAULT_AWS_CLIENT_SETTINGS;
  const seconds = (name: string, fallbackMs: number, max: number) =>
    r.duration(name, fallbackMs / 1000, { bareUnit: 's', minSeconds: 1, maxSeconds: max }) * 1000;
  return {
    clients: {
      connectTimeoutMs: seconds('AWS_CONNECT_TIMEOUT', d.connectTimeoutMs, 60),
      requestTimeoutMs: seconds('AWS_REQUEST_TIMEOUT', d.requestTimeoutMs, 300),
      maxAttempts: r.int('AWS_MAX_ATTEMPTS', d.maxAttempts, { min: 1, max: 10 }),
      retryMode: r.oneOf('AWS_RETRY_MODE', ['standard', 'adaptive'] as const, d.retryMode),
    },
    chat: {
      ackBudgetMs: seconds('CHAT_ACK_BUDGET', 2_000, 2),
      actionDeadlineMs: seconds('CHAT_ACTION_DEADLINE', 120_000, 900),
      shutdownDrainMs: seconds('SHUTDOWN_DRAIN_DEADLINE', 25_000, 600),
    },
    functionName: r.string('AWS_LAMBDA_FUNCTION_NAME'),
    region: r.string('AWS_REGION') ?? r.string('AWS_DEFAULT_REGION') ?? 'us-east-1',
  };
}
