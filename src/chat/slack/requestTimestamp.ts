/**
 * Slack's replay window, checked the same way in every runtime. Bolt's
 * receivers only refuse timestamps older than five minutes; a request stamped
 * in the future passes them, so a captured or pre-signed request could be
 * replayed for as long as its stamp lies ahead. Both receivers call this
 * before Bolt sees the request.
 */

/** How far a request's timestamp may be from now, either way. */
export const SLACK_MAX_SKEW_SECONDS = 5 * 60;

/**
 * Why a request's `X-Slack-Request-Timestamp` is unacceptable at `nowMs`, or
 * undefined when it is within five minutes either way.
 */
export function slackTimestampProblem(header: string | undefined, nowMs: number): string | undefined {
  if (header === undefined || !/^\d{1,12}$/.test(header.trim())) return 'missing or malformed timestamp';
  const skew = Number(header) - nowMs / 1000;
  if (skew > SLACK_MAX_SKEW_SECONDS) return 'timestamp is in the future';
  if (skew < -SLACK_MAX_SKEW_SECONDS) return 'timestamp is older than five minutes';
  return undefined;
}
