/** The run history and the weekly digest built from it. */
import { DAY } from '../core/duration.js';
import { DEFAULT_HISTORY_RETENTION_DAYS } from '../core/runHistory.js';
import { isValidTimeZone } from '../core/when.js';
import type { EnvReader } from './env.js';

export interface DigestConfig {
  /** How long ended runs are kept (RUN_HISTORY_RETENTION): SQLite purges them, DynamoDB's TTL expires them. */
  historyRetentionDays: number;
  /** The time zone of channels that did not choose one (DIGEST_TIME_ZONE), an IANA name. */
  timeZone: string;
  /** Whether a channel gets the weekly digest until it says otherwise (DIGEST_DEFAULT). */
  defaultCadence: 'weekly' | 'off';
  /** Lambda: the digest function the chat functions ask for `/ec2 digest now` (DIGEST_FUNCTION_ARN). */
  functionArn?: string;
}

export function readDigestConfig(r: EnvReader): DigestConfig {
  const retention = r.duration('RUN_HISTORY_RETENTION', DEFAULT_HISTORY_RETENTION_DAYS * DAY, {
    minSeconds: DAY,
    maxSeconds: 3650 * DAY,
  });
  const timeZone = r.string('DIGEST_TIME_ZONE', 'UTC');
  if (!isValidTimeZone(timeZone)) {
    r.problems.push(
      `DIGEST_TIME_ZONE must be an IANA time zone such as Europe/Berlin or UTC; got "${timeZone}"`,
    );
  }
  return {
    historyRetentionDays: Math.ceil(retention / DAY),
    timeZone,
    defaultCadence: r.oneOf('DIGEST_DEFAULT', ['weekly', 'off'] as const, 'weekly'),
    functionArn: r.matching(
      'DIGEST_FUNCTION_ARN',
      /^arn:aws[a-z-]*:lambda:[a-z0-9-]+:\d{12}:function:[\w-]+$/,
      'a Lambda function ARN such as arn:aws:lambda:us-east-1:123456789012:function:lightsout-digest',
    ),
  };
}
