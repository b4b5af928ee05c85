/**
 * The timeout of the two functions that take clicks (slackEvents,
 * teamsMessages), derived from the settings they run with. A handed-off click
 * keeps trying while AWS fails until CHAT_ACTION_DEADLINE, then tells the
 * clicker; if Lambda ended the invocation first, its redelivery would meet the
 * request ledger and do nothing, and the card would stay "Stopping…" with no
 * note. So the timeout covers the deadline, one worst-case try (the AWS client
 * timeouts and attempts in effect, `worstCaseTryMs`) and the time around the
 * retry; a deadline that cannot fit in Lambda's 15 minutes fails the synth.
 */
import { readAwsConfig, worstCaseTryMs } from '../../src/config/aws.js';
import { EnvReader } from '../../src/config/env.js';
import { formatDuration } from '../../src/core/duration.js';

/** The longest a Lambda function may run. */
export const LAMBDA_MAX_TIMEOUT_SECONDS = 900;

/** Around the retry: a cold start, the hand-off, reading the clicker, and posting the result to Slack or Teams. */
export const AROUND_RETRY_SECONDS = 30;

interface ChatWorkTimeout {
  seconds: number;
  /** Set when the settings need more than Lambda allows; names the settings and what fits. */
  problem?: string;
}

/** The click functions' timeout for the pass-through settings `functionEnvironment`. */
export function chatWorkTimeout(functionEnvironment: Record<string, string>): ChatWorkTimeout {
  const aws = readAwsConfig(new EnvReader(functionEnvironment));
  const deadlineS = Math.ceil(aws.chat.actionDeadlineMs / 1000);
  const tryS = Math.ceil(worstCaseTryMs(aws.clients) / 1000);
  const seconds = deadlineS + tryS + AROUND_RETRY_SECONDS;
  if (seconds <= LAMBDA_MAX_TIMEOUT_SECONDS) return { seconds };
  const { connectTimeoutMs, requestTimeoutMs, maxAttempts } = aws.clients;
  const fittingDeadlineS = LAMBDA_MAX_TIMEOUT_SECONDS - tryS - AROUND_RETRY_SECONDS;
  const fix =
    fittingDeadlineS >= 1
      ? `Set CHAT_ACTION_DEADLINE to at most ${fittingDeadlineS}s, or lower the AWS timeouts or attempts`
      : 'Lower AWS_REQUEST_TIMEOUT, AWS_CONNECT_TIMEOUT or AWS_MAX_ATTEMPTS';
  return {
    seconds: LAMBDA_MAX_TIMEOUT_SECONDS,
    problem:
      `CHAT_ACTION_DEADLINE (${formatDuration(deadlineS)}) plus one worst-case try of a click ` +
      `(${tryS}s: two EC2 calls of AWS_MAX_ATTEMPTS=${maxAttempts} × (AWS_CONNECT_TIMEOUT ${connectTimeoutMs / 1000}s + ` +
      `AWS_REQUEST_TIMEOUT ${requestTimeoutMs / 1000}s) with backoff) and ${AROUND_RETRY_SECONDS}s to show the result ` +
      `needs a ${seconds}s function timeout, more than Lambda's ${LAMBDA_MAX_TIMEOUT_SECONDS}s: the clicker would never ` +
      `be told. ${fix}`,
  };
}
