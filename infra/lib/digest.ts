/**
 * The weekly digest on AWS: the `digest` function, and an hourly rule that
 * invokes it. Each run sends the digests whose Monday 09:00 (in each
 * channel's time zone) has come; the week is claimed in the table, so a
 * repeated or retried run sends nothing twice. The chat functions invoke it
 * asynchronously for `/ec2 digest now`, so it has a fixed name they can be
 * given before it exists.
 *
 * A function of its own because the chart needs echarts, resvg's WebAssembly
 * build and a font (copied beside the bundle): the chat functions stay small.
 */
import { Duration, Stack } from 'aws-cdk-lib';
import * as events from 'aws-cdk-lib/aws-events';
import * as targets from 'aws-cdk-lib/aws-events-targets';
import { Construct } from 'constructs';
import { HandlerFunction } from './handlerFunction.js';
import * as policy from './policies.js';
import { monitorEnvironment, type SharedResources, teamsIdentityEnvironment } from './sharedResources.js';

export const digestFunctionName = (stack: Stack): string => `${stack.stackName}-digest`.slice(0, 64);

export class DigestFunction extends Construct {
  readonly digest: HandlerFunction;

  constructor(scope: Construct, id: string, shared: SharedResources) {
    super(scope, id);
    const { settings: s, table, secrets } = shared;
    const teamsOn = s.teamsAppId !== undefined;
    this.digest = new HandlerFunction(this, 'Digest', {
      handler: 'digest',
      functionName: digestFunctionName(Stack.of(this)),
      description: 'sends each channel its weekly digest (hourly; once per channel per week)',
      defaults: shared.functionDefaults,
      environment: {
        ...monitorEnvironment(s),
        TABLE_NAME: table.tableName,
        ...(s.slackEnabled ? { SLACK_SECRET_ARN: secrets.slackArn } : {}),
        ...(teamsOn ? { TEAMS_SECRET_ARN: secrets.teamsArn, ...teamsIdentityEnvironment(s) } : {}),
      },
      // Reading a week of runs and drawing one chart per Slack channel; WebAssembly wants the CPU.
      timeout: Duration.minutes(5),
      memorySize: 1024,
      deadLetterQueue: shared.asyncFailures,
    });
    const role = this.digest.role;
    // Run history and instances (read), digest settings and the week claim (write).
    role.addToPolicy(policy.tableReadWriteStatement(table.tableArn));
    if (s.slackEnabled) role.addToPolicy(policy.readSecretStatement('ReadSlackSecret', secrets.slackArn));
    if (teamsOn) role.addToPolicy(policy.readSecretStatement('ReadTeamsSecret', secrets.teamsArn));
    shared.watch(this.digest);

    new events.Rule(this, 'DigestRule', {
      description: 'Lights Out: hourly check for weekly digests that are due',
      schedule: events.Schedule.rate(Duration.hours(1)),
      targets: [
        new targets.LambdaFunction(this.digest.fn, {
          deadLetterQueue: shared.asyncFailures,
          retryAttempts: 2,
        }),
      ],
    });
  }
}
