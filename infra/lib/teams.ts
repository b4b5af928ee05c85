/**
 * Microsoft Teams: `teamsMessages` is the Bot Framework messaging endpoint
 * (commands and card buttons) behind a Function URL. Outbound posts to Teams
 * channels are made by `chatNotify` (chat.ts).
 */
import { Duration } from 'aws-cdk-lib';
import type * as lambda from 'aws-cdk-lib/aws-lambda';
import { Construct } from 'constructs';
import { HandlerFunction } from './handlerFunction.js';
import * as policy from './policies.js';
import { publicFunctionUrl } from './publicEndpoint.js';
import {
  monitorEnvironment,
  type SharedResources,
  schedulerEnvironment,
  teamsIdentityEnvironment,
} from './sharedResources.js';

export class Teams extends Construct {
  readonly teamsMessages: HandlerFunction;
  readonly url: lambda.FunctionUrl;

  constructor(scope: Construct, id: string, shared: SharedResources) {
    super(scope, id);
    const { settings: s, table, schedules, secrets } = shared;

    this.teamsMessages = new HandlerFunction(this, 'TeamsMessages', {
      handler: 'teamsMessages',
      description: 'Teams bot messages and card actions (Function URL)',
      defaults: shared.functionDefaults,
      environment: {
        ...monitorEnvironment(s),
        TABLE_NAME: table.tableName,
        ...schedulerEnvironment(schedules),
        TEAMS_SECRET_ARN: secrets.teamsArn,
        ...teamsIdentityEnvironment(s),
        ...(schedules.workloadFunctionArn ? { WORKLOAD_FUNCTION_ARN: schedules.workloadFunctionArn } : {}),
      },
      timeout: Duration.seconds(30),
      // botbuilder is a large dependency tree; more memory means more CPU for the cold start.
      memorySize: 1024,
    });
    const role = this.teamsMessages.role;
    role.addToPolicy(policy.tableReadWriteStatement(table.tableArn));
    role.addToPolicy(policy.readSecretStatement('ReadTeamsSecret', secrets.teamsArn));
    // The Stop button, and snooze/extend rescheduling the next nag.
    role.addToPolicy(policy.ec2DescribeStatement(s.regions));
    role.addToPolicy(policy.stopMonitoredStatement(s.monitorMode, s.regions));
    role.addToPolicy(policy.manageSchedulesStatement(schedules.groupName));
    role.addToPolicy(policy.passSchedulerRoleStatement(schedules.roleArn));
    if (schedules.workloadFunctionArn) {
      role.addToPolicy(policy.invokeStatement('StartWorkloadRuns', schedules.workloadFunctionArn));
    }
    this.url = publicFunctionUrl(
      this.teamsMessages.fn,
      'the Bot Framework JWT in Authorization (Microsoft signing keys, issuer, audience = our App ID)',
    );
    shared.watch(this.teamsMessages);
  }
}
