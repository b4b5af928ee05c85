/**
 * The weekly digest on AWS: one function per chat platform, and an hourly
 * rule that invokes them. Each run sends the digests of its platform's
 * channels whose Monday 09:00 (in each channel's time zone) has come; the
 * week is claimed in the table, so a repeated or retried run sends nothing
 * twice. The chat endpoints invoke their platform's function asynchronously
 * for `/ec2 digest now`, so each has a fixed name they can be given before it
 * exists.
 *
 * Two functions because Slack's chart needs echarts, resvg's WebAssembly
 * build and a font (copied beside the bundle), and every function that
 * carries Teams code must stay within 1.0 MB: `digest` (Slack, with the
 * chart) has no Teams code, `teamsDigest` (Teams, tables only) no chart.
 */
import { Duration, Stack } from 'aws-cdk-lib';
import * as events from 'aws-cdk-lib/aws-events';
import * as targets from 'aws-cdk-lib/aws-events-targets';
import { Construct } from 'constructs';
import { HandlerFunction } from './handlerFunction.js';
import * as policy from './policies.js';
import { monitorEnvironment, type SharedResources, teamsIdentityEnvironment } from './sharedResources.js';

export const digestFunctionName = (stack: Stack): string => `${stack.stackName}-digest`.slice(0, 64);
export const teamsDigestFunctionName = (stack: Stack): string =>
  `${stack.stackName}-teams-digest`.slice(0, 64);

export class DigestFunction extends Construct {
  /** Slack's digest; absent in a Teams-only deployment. */
  readonly digest?: HandlerFunction;
  /** Teams' digest; absent unless the bot's App ID is configured. */
  readonly teamsDigest?: HandlerFunction;

  constructor(scope: Construct, id: string, shared: SharedResources) {
    super(scope, id);
    const { settings: s, table, secrets } = shared;
    const stack = Stack.of(this);
    const common = (platform: string) => ({
      defaults: shared.functionDefaults,
      description: `sends each ${platform} channel its weekly digest (hourly; once per channel per week)`,
      // Reading a week of runs, and for Slack drawing one chart per channel: WebAssembly wants the CPU.
      timeout: Duration.minutes(5),
      deadLetterQueue: shared.asyncFailures,
    });
    if (s.slackEnabled) {
      this.digest = new HandlerFunction(this, 'Digest', {
        ...common('Slack'),
        handler: 'digest',
        functionName: digestFunctionName(stack),
        environment: {
          ...monitorEnvironment(s),
          TABLE_NAME: table.tableName,
          SLACK_SECRET_ARN: secrets.slackArn,
        },
        memorySize: 1024,
      });
      this.digest.role.addToPolicy(policy.readSecretStatement('ReadSlackSecret', secrets.slackArn));
    }
    if (s.teamsAppId !== undefined) {
      this.teamsDigest = new HandlerFunction(this, 'TeamsDigest', {
        ...common('Teams'),
        handler: 'teamsDigest',
        functionName: teamsDigestFunctionName(stack),
        environment: {
          ...monitorEnvironment(s),
          TABLE_NAME: table.tableName,
          TEAMS_SECRET_ARN: secrets.teamsArn,
          ...teamsIdentityEnvironment(s),
        },
        memorySize: 512,
      });
      this.teamsDigest.role.addToPolicy(policy.readSecretStatement('ReadTeamsSecret', secrets.teamsArn));
    }
    const functions = [this.digest, this.teamsDigest].filter((f) => f !== undefined);
    for (const f of functions) {
      // Run history and instances (read), digest settings and the week claim (write).
      f.role.addToPolicy(policy.tableReadWriteStatement(table.tableArn));
      shared.watch(f);
    }
    if (functions.length === 0) return;
    new events.Rule(this, 'DigestRule', {
      description: 'Lights Out: hourly check for weekly digests that are due',
      schedule: events.Schedule.rate(Duration.hours(1)),
      targets: functions.map(
        (f) =>
          new targets.LambdaFunction(f.fn, {
            deadLetterQueue: shared.asyncFailures,
            retryAttempts: 2,
          }),
      ),
    });
  }
}
