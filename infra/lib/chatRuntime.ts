/**
 * The three chat functions (slackEvents, teamsMessages, chatNotify) share one
 * wiring in the code (src/lambda/chatRuntime.ts): the monitor service, the
 * table, and a gateway per configured platform. They get the same environment
 * and the same grants, except that only the two endpoints that receive button
 * clicks may stop instances and move schedules (chatNotify takes no clicks).
 */
import { ArnFormat, type Duration, Stack } from 'aws-cdk-lib';
import type * as sqs from 'aws-cdk-lib/aws-sqs';
import type { Construct } from 'constructs';
import { HandlerFunction } from './handlerFunction.js';
import * as policy from './policies.js';
import {
  monitorEnvironment,
  type SharedResources,
  schedulerEnvironment,
  teamsIdentityEnvironment,
  workloadSpecEnvironment,
} from './sharedResources.js';

export interface ChatFunctionProps {
  handler: 'slackEvents' | 'teamsMessages' | 'chatNotify';
  description: string;
  timeout: Duration;
  memorySize: number;
  /** Stop buttons: only the endpoints that receive clicks. */
  canStopInstances: boolean;
  /**
   * Answers requests and hands their work to an asynchronous invocation of
   * itself. Such a function gets a fixed name, so its role can name it
   * without a circular reference to the function.
   */
  handsOffWork?: boolean;
  deadLetterQueue?: sqs.IQueue;
}

export function chatFunction(
  scope: Construct,
  id: string,
  shared: SharedResources,
  props: ChatFunctionProps,
) {
  const { settings: s, table, schedules, secrets } = shared;
  // Teams is on when the bot's App ID is configured; Slack unless turned off.
  const teamsOn = s.teamsAppId !== undefined;
  const workloadCommands = props.handler !== 'chatNotify' && schedules.workloadFunctionArn !== undefined;
  // `/ec2 digest now` asks the digest function of the platform the command arrives on.
  const digestFunctionArn =
    props.handler === 'slackEvents'
      ? schedules.digestFunctionArn
      : props.handler === 'teamsMessages'
        ? schedules.teamsDigestFunctionArn
        : undefined;
  const digestCommands = digestFunctionArn !== undefined;
  const stack = Stack.of(scope);
  const functionName = props.handsOffWork ? `${stack.stackName}-${props.handler}`.slice(0, 64) : undefined;
  const f = new HandlerFunction(scope, id, {
    handler: props.handler,
    functionName,
    description: props.description,
    defaults: shared.functionDefaults,
    environment: {
      ...monitorEnvironment(s),
      TABLE_NAME: table.tableName,
      ...schedulerEnvironment(schedules),
      ...(s.slackEnabled ? { SLACK_SECRET_ARN: secrets.slackArn } : {}),
      ...(teamsOn ? { TEAMS_SECRET_ARN: secrets.teamsArn, ...teamsIdentityEnvironment(s) } : {}),
      // `/ec2 workload …` is offered where commands arrive, once workloadStep exists.
      ...(workloadCommands
        ? { WORKLOAD_STEP_FUNCTION_ARN: schedules.workloadFunctionArn!, ...workloadSpecEnvironment(s) }
        : {}),
      ...(digestCommands ? { DIGEST_FUNCTION_ARN: digestFunctionArn } : {}),
      // `stop … --when-idle` answers when the idle function's first check comes: its rule's rate.
      ...(props.handler !== 'chatNotify' ? { IDLE_CHECK_EVERY: `${s.idleCheckEveryMinutes}m` } : {}),
    },
    timeout: props.timeout,
    memorySize: props.memorySize,
    deadLetterQueue: props.deadLetterQueue,
  });
  const role = f.role;
  role.addToPolicy(policy.tableReadWriteStatement(table.tableArn));
  if (s.slackEnabled) role.addToPolicy(policy.readSecretStatement('ReadSlackSecret', secrets.slackArn));
  if (teamsOn) role.addToPolicy(policy.readSecretStatement('ReadTeamsSecret', secrets.teamsArn));
  // Instance details in messages, and snooze/extend rescheduling the next nag.
  role.addToPolicy(policy.ec2DescribeStatement(s.regions));
  // Schedules are moved by commands and clicks (snooze, extend, Stop, the consent controls), which
  // chatNotify never takes: it posts nags and rewrites messages (ChatDelivery reaches no scheduler),
  // and its bundle leaves the consent code out. So it holds no scheduler grant.
  if (props.handler !== 'chatNotify') {
    role.addToPolicy(policy.manageSchedulesStatement(schedules.groupName));
    // Nag schedules are named per due time; rescheduling lists the instance's others to delete them.
    role.addToPolicy(policy.listSchedulesStatement());
    role.addToPolicy(policy.passSchedulerRoleStatement(schedules.roleArn));
  }
  if (props.canStopInstances) role.addToPolicy(policy.stopMonitoredStatement(s.monitorMode, s.regions));
  if (functionName) {
    const self = stack.formatArn({
      service: 'lambda',
      resource: 'function',
      resourceName: functionName,
      arnFormat: ArnFormat.COLON_RESOURCE_NAME,
    });
    role.addToPolicy(policy.invokeSelfStatement(self));
  }
  if (digestCommands) role.addToPolicy(policy.invokeDigestStatement(digestFunctionArn));
  // Workload commands list specs and plan runs; the runs themselves are workloadStep's.
  if (workloadCommands) {
    role.addToPolicy(
      policy.readSpecTablesStatement(s.workloadSpecRegion ?? s.regions[0]!, [
        s.workloadSpecTable,
        s.tierSpecTable,
      ]),
    );
  }
  shared.watch(f);
  return f;
}
