/**
 * cdk-nag AwsSolutions findings accepted on purpose, each with its reason.
 * Wildcard findings (IAM5) are acknowledged one exact resource at a time, so a
 * new, unintended wildcard still fails `cdk synth` and the test suite.
 */
import { type Stack, Validations } from 'aws-cdk-lib';
import { RUN_SCRIPT_DOCUMENTS } from './policies.js';
import type { Settings } from './settings.js';

const PACK = 'AwsSolutions::';

export function suppressAcceptedFindings(stack: Stack, settings: Settings): void {
  const ack = (id: string, reason: string) =>
    Validations.of(stack).acknowledge({ id: `${PACK}${id}`, reason });

  ack(
    'AwsSolutions-SMG4',
    'The secrets hold Slack and Microsoft credentials issued by those platforms; AWS cannot rotate them. ' +
      'Rotate them in Slack/Entra and put the new value (docs/deploy.md).',
  );
  ack(
    'AwsSolutions-SQS3',
    'These queues are themselves the dead-letter queues of SNS subscriptions, Lambda and EventBridge targets.',
  );
  ack('AwsSolutions-L1', 'nodejs24.x is the runtime the project deploys and runs its Lambda test suites on.');

  const iam5 = (resource: string, reason: string) => ack(`AwsSolutions-IAM5[Resource::${resource}]`, reason);
  iam5(
    '*',
    'Only for read-only calls IAM cannot scope to a resource: ec2:Describe*, scheduler:ListSchedules, ' +
      'ssm:GetCommandInvocation, sns:ListTopics, cloudwatch:GetMetricData, cloudwatch:ListMetrics and ' +
      'pricing:GetProducts (public list prices); the EC2, SSM and CloudWatch ones are pinned to the configured regions.',
  );
  iam5(
    `arn:<AWS::Partition>:scheduler:<AWS::Region>:<AWS::AccountId>:schedule/${settings.scheduleGroupName}/*`,
    'Schedules are created per instance and due time at run time; the grant is limited to the Lights Out schedule group.',
  );
  for (const region of settings.regions) {
    iam5(
      `arn:<AWS::Partition>:ec2:${region}:<AWS::AccountId>:instance/*`,
      'Instance ids are not known at deploy time; every statement on instances is conditioned on the Monitor or workload tag.',
    );
    for (const doc of RUN_SCRIPT_DOCUMENTS) {
      iam5(
        `arn:<AWS::Partition>:ssm:${region}::document/${doc}`,
        'Not a wildcard grant: cdk-nag flags the empty account field that AWS-owned SSM documents always have.',
      );
    }
  }
}
