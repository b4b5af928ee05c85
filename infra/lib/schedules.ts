/**
 * The EventBridge Scheduler group for one-shot nag and workload schedules, and
 * the role Scheduler assumes to fire them. The role can invoke exactly the nag
 * function and (when deployed) the workload step function, and can be assumed
 * only by Scheduler on behalf of schedules in this group of this account.
 */
import { Aws } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as scheduler from 'aws-cdk-lib/aws-scheduler';
import { Construct } from 'constructs';

export interface SchedulesProps {
  groupName: string;
  /** Functions schedules may invoke (fixed-name ARNs, known before the functions exist). */
  targetFunctionArns: string[];
}

export class Schedules extends Construct {
  readonly group: scheduler.ScheduleGroup;
  readonly role: iam.Role;

  constructor(scope: Construct, id: string, props: SchedulesProps) {
    super(scope, id);
    this.group = new scheduler.ScheduleGroup(this, 'Group', { scheduleGroupName: props.groupName });

    this.role = new iam.Role(this, 'InvokeRole', {
      description: 'Lights Out: EventBridge Scheduler invokes the nag and workload step functions',
      assumedBy: new iam.ServicePrincipal('scheduler.amazonaws.com', {
        // Confused-deputy guard: only schedules in our group, in our account.
        conditions: {
          StringEquals: { 'aws:SourceAccount': Aws.ACCOUNT_ID },
          ArnEquals: { 'aws:SourceArn': this.group.scheduleGroupArn },
        },
      }),
    });
    this.role.addToPolicy(
      new iam.PolicyStatement({
        sid: 'InvokeOnlyScheduleTargets',
        // A fired schedule only ever invokes these functions; nothing else.
        actions: ['lambda:InvokeFunction'],
        resources: props.targetFunctionArns,
      }),
    );
  }
}
