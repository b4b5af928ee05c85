/** Turns an error from EC2 or the engine into plain words for the person who clicked. */
import {
  AccessDeniedError,
  AwsRequestError,
  ConflictError,
  LightsOutError,
  TransientError,
} from '../../core/errors.js';
import type { InstanceRecord } from '../../core/instance.js';
import { instanceLabel } from '../../core/message/nagMessage.js';

export function describeFailure(
  err: unknown,
  action: string,
  record: Pick<InstanceRecord, 'name' | 'instanceId'>,
): string {
  const label = instanceLabel(record);
  const detail = err instanceof Error ? err.message : String(err);
  if (err instanceof AccessDeniedError) {
    return `Could not ${action} ${label}: Lights Out is not permitted to do that in AWS (${detail}). Ask an AWS admin to check its IAM role. Nothing changed; the buttons still work.`;
  }
  if (err instanceof TransientError) {
    return `Could not ${action} ${label}: AWS is busy or throttling (${detail}). Nothing changed; try again in a minute.`;
  }
  if (err instanceof ConflictError) {
    return `Could not ${action} ${label}: someone changed it at the same moment. Nothing changed; try again.`;
  }
  if (err instanceof AwsRequestError || err instanceof LightsOutError) {
    return `Could not ${action} ${label}: AWS said: ${detail}. Nothing changed; the buttons still work.`;
  }
  return `Could not ${action} ${label} because of an unexpected error. Nothing changed; it has been logged.`;
}
