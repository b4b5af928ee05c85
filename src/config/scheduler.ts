/** EventBridge Scheduler settings (Lambda mode only). */
import type { EnvReader } from './env.js';

export interface SchedulerConfig {
  groupName: string;
  /** Function the one-shot nag schedules invoke. */
  nagTargetArn?: string;
  /** Function the consented-stop schedules invoke (it warns and stops). */
  consentTargetArn?: string;
  /** Role EventBridge Scheduler assumes to invoke them. */
  roleArn?: string;
}

export function readSchedulerConfig(r: EnvReader): SchedulerConfig {
  return {
    groupName: r.matching('SCHEDULE_GROUP', /^[0-9a-zA-Z-_.]{1,64}$/, 'a schedule group name', 'lightsout'),
    nagTargetArn: r.matching('NAG_FUNCTION_ARN', /^arn:aws[\w-]*:lambda:/, 'a Lambda function ARN'),
    consentTargetArn: r.matching('CONSENT_FUNCTION_ARN', /^arn:aws[\w-]*:lambda:/, 'a Lambda function ARN'),
    roleArn: r.matching('SCHEDULER_ROLE_ARN', /^arn:aws[\w-]*:iam::\d{12}:role\//, 'an IAM role ARN'),
  };
}
