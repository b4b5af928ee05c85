/**
 * Tiered workload runs: `workloadStep` starts or stops one tier (checking
 * each instance's override file over SSM first), and schedules its own next
 * step with a one-shot schedule. Specs come from AWS_EC2_Scheduler's
 * DynamoDB tables; instances are found by the spec's workload tag, which must
 * be the `workloadTagKey` setting for IAM to allow acting on them.
 */
import { Aws, Duration, Stack } from 'aws-cdk-lib';
import { Construct } from 'constructs';
import { HandlerFunction } from './handlerFunction.js';
import * as policy from './policies.js';
import {
  type SharedResources,
  teamsIdentityEnvironment,
  workloadSpecEnvironment,
} from './sharedResources.js';

/** Fixed name, so schedules and chat can target the function before it exists. */
export const workloadFunctionName = (stack: Stack): string => `${stack.stackName}-workloadStep`.slice(0, 64);

export class Workloads extends Construct {
  readonly workloadStep: HandlerFunction;

  constructor(scope: Construct, id: string, shared: SharedResources) {
    super(scope, id);
    const { settings: s, table, schedules, secrets } = shared;

    const specRegion = s.workloadSpecRegion ?? s.regions[0]!;
    // Status topics: the default one and those specs name, in each region a workload may run in.
    const statusTopicArns = [
      ...(s.workloadStatusTopicArn ? [s.workloadStatusTopicArn] : []),
      ...s.regions.flatMap((region) =>
        s.workloadStatusTopics.map((name) => `arn:${Aws.PARTITION}:sns:${region}:${Aws.ACCOUNT_ID}:${name}`),
      ),
    ];

    this.workloadStep = new HandlerFunction(this, 'WorkloadStep', {
      handler: 'workloadStep',
      description: 'runs one step of a tiered workload start/stop',
      defaults: shared.functionDefaults,
      environment: {
        TABLE_NAME: table.tableName,
        REGIONS: s.regions.join(','),
        SCHEDULE_GROUP: schedules.groupName,
        SCHEDULER_ROLE_ARN: schedules.roleArn,
        WORKLOAD_STEP_FUNCTION_ARN: schedules.workloadFunctionArn!,
        ...workloadSpecEnvironment(s),
        ...(s.workloadStatusTopicArn ? { WORKLOAD_SNS_TOPIC_ARN: s.workloadStatusTopicArn } : {}),
        // Each step updates the run's progress message in Slack and Teams.
        ...(s.slackEnabled ? { SLACK_SECRET_ARN: secrets.slackArn } : {}),
        ...(s.teamsAppId ? { TEAMS_SECRET_ARN: secrets.teamsArn, ...teamsIdentityEnvironment(s) } : {}),
      },
      // A step waits for SSM override checks (WORKLOAD_SSM_TIMEOUT, 1 min by default);
      // longer waits are new scheduled steps.
      timeout: Duration.minutes(3),
      // With Teams configured a step loads the Agents SDK; more memory is more CPU for that cold start.
      memorySize: 512,
      functionName: workloadFunctionName(Stack.of(this)),
      deadLetterQueue: shared.asyncFailures,
    });
    const role = this.workloadStep.role;
    role.addToPolicy(policy.tableReadWriteStatement(table.tableArn));
    if (s.slackEnabled) role.addToPolicy(policy.readSecretStatement('ReadSlackSecret', secrets.slackArn));
    if (s.teamsAppId) role.addToPolicy(policy.readSecretStatement('ReadTeamsSecret', secrets.teamsArn));
    role.addToPolicy(policy.readSpecTablesStatement(specRegion, [s.workloadSpecTable, s.tierSpecTable]));
    role.addToPolicy(policy.ec2DescribeStatement(s.regions));
    role.addToPolicy(policy.workloadInstancesStatement(s.workloadTagKey, s.regions));
    for (const statement of policy.sendCommandStatements(s.workloadTagKey, s.regions))
      role.addToPolicy(statement);
    for (const statement of policy.workloadStatusStatements(statusTopicArns)) role.addToPolicy(statement);
    role.addToPolicy(policy.manageSchedulesStatement(schedules.groupName));
    role.addToPolicy(policy.listSchedulesStatement());
    role.addToPolicy(policy.passSchedulerRoleStatement(schedules.roleArn));
    shared.watch(this.workloadStep);
  }
}
