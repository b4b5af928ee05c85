/**
 * Tiered workload runs: `workloadStep` starts or stops one tier, runs its
 * commands over SSM, and schedules its own next step with a one-shot schedule.
 * Chat and the CLI start a run by invoking it.
 */
import { Duration, Stack } from 'aws-cdk-lib';
import { Construct } from 'constructs';
import { HandlerFunction } from './handlerFunction.js';
import * as policy from './policies.js';
import type { SharedResources } from './sharedResources.js';

/** Fixed name, so schedules and chat can target the function before it exists. */
export const workloadFunctionName = (stack: Stack): string => `${stack.stackName}-workloadStep`.slice(0, 64);

export class Workloads extends Construct {
  readonly workloadStep: HandlerFunction;

  constructor(scope: Construct, id: string, shared: SharedResources) {
    super(scope, id);
    const { settings: s, table, schedules } = shared;

    this.workloadStep = new HandlerFunction(this, 'WorkloadStep', {
      handler: 'workloadStep',
      description: 'runs one step of a tiered workload start/stop',
      defaults: shared.functionDefaults,
      environment: {
        TABLE_NAME: table.tableName,
        REGIONS: s.regions.join(','),
        WORKLOAD_TAG_KEY: s.workloadTagKey,
        SCHEDULE_GROUP: schedules.groupName,
        SCHEDULER_ROLE_ARN: schedules.roleArn,
        ...(schedules.workloadFunctionArn ? { WORKLOAD_FUNCTION_ARN: schedules.workloadFunctionArn } : {}),
      },
      // A step waits briefly for SSM command results; longer waits are new scheduled steps.
      timeout: Duration.minutes(2),
      functionName: workloadFunctionName(Stack.of(this)),
      deadLetterQueue: shared.asyncFailures,
    });
    const role = this.workloadStep.role;
    role.addToPolicy(policy.tableReadWriteStatement(table.tableArn));
    role.addToPolicy(policy.ec2DescribeStatement(s.regions));
    role.addToPolicy(policy.workloadInstancesStatement(s.workloadTagKey, s.regions));
    for (const statement of policy.sendCommandStatements(s.workloadTagKey, s.regions))
      role.addToPolicy(statement);
    role.addToPolicy(policy.manageSchedulesStatement(schedules.groupName));
    role.addToPolicy(policy.listSchedulesStatement());
    role.addToPolicy(policy.passSchedulerRoleStatement(schedules.roleArn));
    shared.watch(this.workloadStep);
  }
}
