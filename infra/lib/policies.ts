/**
 * Every IAM statement Lights Out's functions get, each with a Sid and a comment
 * saying why it is needed and why it is no wider. Constructs pick the ones their
 * function uses; nothing gets a statement "just in case".
 *
 * EC2 and SSM statements cover every configured region (the engine watches them
 * all from the home region): resource ARNs name each region, and calls without
 * resource-level permissions are pinned to them with `aws:RequestedRegion`.
 */
import { Aws } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import type * as logs from 'aws-cdk-lib/aws-logs';
import type { MonitorMode } from './settings.js';

/** Instances of this account in the configured regions; which ones is decided by tag conditions. */
export const instanceArns = (regions: string[]): string[] =>
  regions.map((region) => `arn:${Aws.PARTITION}:ec2:${region}:${Aws.ACCOUNT_ID}:instance/*`);
export const RUN_SCRIPT_DOCUMENTS = ['AWS-RunShellScript', 'AWS-RunPowerShellScript'];
/** The stock SSM documents workload steps may run, in the configured regions. */
export const runScriptDocumentArns = (regions: string[]): string[] =>
  regions.flatMap((region) =>
    RUN_SCRIPT_DOCUMENTS.map((doc) => `arn:${Aws.PARTITION}:ssm:${region}::document/${doc}`),
  );
const inRegions = (regions: string[]) => ({ 'aws:RequestedRegion': regions });

/** A function writes its own logs and nothing else's. */
export function logWriteStatement(logGroup: logs.ILogGroup): iam.PolicyStatement {
  return new iam.PolicyStatement({
    sid: 'WriteOwnLogs',
    actions: ['logs:CreateLogStream', 'logs:PutLogEvents'],
    // logGroupArn ends in `:*`, which covers this group's streams only.
    resources: [logGroup.logGroupArn],
  });
}

/** Item reads and writes on the single table; no Scan, no table management. */
export function tableReadWriteStatement(tableArn: string): iam.PolicyStatement {
  return new iam.PolicyStatement({
    sid: 'ReadWriteLightsOutTable',
    // Every entity is addressed by pk/sk, so Query covers all listing; batch and
    // transactional writes keep a nag record and its audit entry consistent.
    actions: [
      'dynamodb:GetItem',
      'dynamodb:BatchGetItem',
      'dynamodb:Query',
      'dynamodb:PutItem',
      'dynamodb:UpdateItem',
      'dynamodb:DeleteItem',
      'dynamodb:BatchWriteItem',
      'dynamodb:ConditionCheckItem',
    ],
    resources: [tableArn],
  });
}

/**
 * EC2 Describe* calls have no resource-level permissions: AWS only accepts `*`.
 * They are read-only, and pinned to the configured regions.
 */
export function ec2DescribeStatement(
  regions: string[],
  actions: string[] = ['ec2:DescribeInstances'],
): iam.PolicyStatement {
  return new iam.PolicyStatement({
    sid: 'DescribeUnavoidablyOnStar',
    // Only the Describe calls the function makes (tags and state come with DescribeInstances).
    actions,
    resources: ['*'],
    conditions: { StringEquals: inRegions(regions) },
  });
}

/**
 * Idle metrics: `cloudwatch:GetMetricData` and `cloudwatch:ListMetrics` have
 * no resource-level permissions (AWS only accepts `*`) and no condition key
 * that names an instance or namespace, so this is as narrow as IAM allows:
 * read-only, pinned to the configured regions, and only on the functions
 * that read idle metrics (the nag's evidence, the idle check).
 */
export function readMetricsStatement(regions: string[]): iam.PolicyStatement {
  return new iam.PolicyStatement({
    sid: 'ReadIdleMetricsUnavoidablyOnStar',
    // ListMetrics finds the CloudWatch agent's GPU series, whose dimension sets vary.
    actions: ['cloudwatch:GetMetricData', 'cloudwatch:ListMetrics'],
    resources: ['*'],
    conditions: { StringEquals: inRegions(regions) },
  });
}

/**
 * Before a nag, whether the instance is stop-protected (DisableApiStop is not
 * in DescribeInstances). DescribeInstanceAttribute takes instance ARNs, so it
 * is scoped to instances in the configured regions, not `*`.
 */
export function readStopProtectionStatement(regions: string[]): iam.PolicyStatement {
  return new iam.PolicyStatement({
    sid: 'ReadStopProtection',
    actions: ['ec2:DescribeInstanceAttribute'],
    resources: instanceArns(regions),
  });
}

/**
 * Prices: `pricing:GetProducts` has no resource-level permissions and no
 * condition keys (AWS only accepts `*`; it reads public list prices), and
 * `ec2:DescribeSpotPriceHistory` is a Describe call, also `*` only, pinned
 * here to the configured regions. Only the functions that price runs get it.
 */
export function readPricesStatements(regions: string[]): iam.PolicyStatement[] {
  return [
    new iam.PolicyStatement({
      sid: 'ReadListPricesUnavoidablyOnStar',
      actions: ['pricing:GetProducts'],
      resources: ['*'],
    }),
    new iam.PolicyStatement({
      sid: 'ReadSpotPricesUnavoidablyOnStar',
      actions: ['ec2:DescribeSpotPriceHistory'],
      resources: ['*'],
      conditions: { StringEquals: inRegions(regions) },
    }),
  ];
}

/**
 * The Stop button stops only instances Lights Out monitors: tagged Monitor=true
 * in opt-in mode; in opt-out mode everything except those tagged Monitor=false
 * (a missing tag satisfies StringNotEquals, which is what opt-out means).
 */
export function stopMonitoredStatement(mode: MonitorMode, regions: string[]): iam.PolicyStatement {
  const tag =
    mode === 'opt-in'
      ? { StringEqualsIgnoreCase: { 'aws:ResourceTag/Monitor': 'true' } }
      : { StringNotEqualsIgnoreCase: { 'aws:ResourceTag/Monitor': 'false' } };
  return new iam.PolicyStatement({
    sid: 'StopOnlyMonitoredInstances',
    actions: ['ec2:StopInstances'],
    resources: instanceArns(regions),
    conditions: tag,
  });
}

/**
 * Workload runs start, stop and resize only instances that carry the workload
 * tag key (any value: the value names the workload).
 */
export function workloadInstancesStatement(tagKey: string, regions: string[]): iam.PolicyStatement {
  return new iam.PolicyStatement({
    sid: 'StartStopModifyOnlyWorkloadInstances',
    actions: ['ec2:StartInstances', 'ec2:StopInstances', 'ec2:ModifyInstanceAttribute'],
    resources: instanceArns(regions),
    conditions: { StringLike: { [`aws:ResourceTag/${tagKey}`]: '*' } },
  });
}

/**
 * Workload steps run shell commands through SSM: only the two stock AWS
 * run-script documents (no custom document can widen this), and only on
 * instances carrying the workload tag key.
 */
export function sendCommandStatements(tagKey: string, regions: string[]): iam.PolicyStatement[] {
  return [
    new iam.PolicyStatement({
      sid: 'SendCommandOnlyRunScriptDocuments',
      actions: ['ssm:SendCommand'],
      resources: runScriptDocumentArns(regions),
    }),
    new iam.PolicyStatement({
      sid: 'SendCommandOnlyToWorkloadInstances',
      actions: ['ssm:SendCommand'],
      resources: instanceArns(regions),
      conditions: { StringLike: { [`ssm:resourceTag/${tagKey}`]: '*' } },
    }),
    new iam.PolicyStatement({
      sid: 'ReadCommandResultsUnavoidablyOnStar',
      // This read-only call has no resource-level permissions in IAM.
      actions: ['ssm:GetCommandInvocation'],
      resources: ['*'],
      conditions: { StringEquals: inRegions(regions) },
    }),
  ];
}

/** Nag and workload schedules live in one group; functions touch only that group. */
export function manageSchedulesStatement(groupName: string): iam.PolicyStatement {
  return new iam.PolicyStatement({
    sid: 'ManageSchedulesInOwnGroup',
    actions: [
      'scheduler:CreateSchedule',
      'scheduler:UpdateSchedule',
      'scheduler:DeleteSchedule',
      'scheduler:GetSchedule',
    ],
    resources: [`arn:${Aws.PARTITION}:scheduler:${Aws.REGION}:${Aws.ACCOUNT_ID}:schedule/${groupName}/*`],
  });
}

/**
 * Nag schedules are named per due time (`<instanceId>-<region>-<yyyymmddThhmm>`),
 * so keeping one per instance means finding the instance's others with
 * ListSchedules (NamePrefix) and deleting them; workload runs are cancelled the
 * same way. IAM cannot scope ListSchedules to a group or schedule (it has no
 * resource-level permissions, only `*`); it is read-only, and the group is a
 * request parameter. The deletes themselves are scoped by manageSchedulesStatement.
 */
export function listSchedulesStatement(): iam.PolicyStatement {
  return new iam.PolicyStatement({
    sid: 'ListSchedulesUnavoidablyOnStar',
    actions: ['scheduler:ListSchedules'],
    resources: ['*'],
  });
}

/**
 * Creating a schedule hands EventBridge Scheduler a role; only the Lights Out
 * scheduler role may be handed over, and only to Scheduler.
 */
export function passSchedulerRoleStatement(roleArn: string): iam.PolicyStatement {
  return new iam.PolicyStatement({
    sid: 'PassOnlySchedulerRoleToScheduler',
    actions: ['iam:PassRole'],
    resources: [roleArn],
    conditions: { StringEquals: { 'iam:PassedToService': 'scheduler.amazonaws.com' } },
  });
}

/**
 * A chat endpoint answers a click at once and hands its work to an
 * asynchronous invocation of itself (Lambda freezes a function once it has
 * answered); it may invoke only itself.
 */
export function invokeSelfStatement(functionArn: string): iam.PolicyStatement {
  return new iam.PolicyStatement({
    sid: 'HandOffWorkToItself',
    actions: ['lambda:InvokeFunction'],
    resources: [functionArn],
  });
}

/** `/ec2 digest now`: the chat endpoints ask their platform's digest function, which alone posts digests. */
export function invokeDigestStatement(functionArn: string): iam.PolicyStatement {
  return new iam.PolicyStatement({
    sid: 'AskDigestFunction',
    actions: ['lambda:InvokeFunction'],
    resources: [functionArn],
  });
}

/** Publishing to one topic; the topic's own policy and key policy say who else may not. */
export function publishStatement(sid: string, topicArn: string): iam.PolicyStatement {
  return new iam.PolicyStatement({ sid, actions: ['sns:Publish'], resources: [topicArn] });
}

/** Secrets are read at cold start; the function reads only the secret it is given. */
export function readSecretStatement(sid: string, secretArn: string): iam.PolicyStatement {
  return new iam.PolicyStatement({ sid, actions: ['secretsmanager:GetSecretValue'], resources: [secretArn] });
}

/**
 * Cleanup removes a terminated instance's DNS records, only in the configured
 * hosted zones (zones named in an instance's DnsRecords tag must be listed too).
 */
export function route53Statements(zoneIds: string[]): iam.PolicyStatement[] {
  if (zoneIds.length === 0) return [];
  return [
    new iam.PolicyStatement({
      sid: 'EditRecordsOnlyInConfiguredZones',
      actions: ['route53:ListResourceRecordSets', 'route53:ChangeResourceRecordSets'],
      resources: zoneIds.map((id) => `arn:${Aws.PARTITION}:route53:::hostedzone/${id}`),
    }),
  ];
}

/**
 * Cleanup deregisters terminated instances from the configured Cloud Map
 * services only, each in its own region.
 */
export function cloudMapStatements(services: { serviceId: string; region: string }[]): iam.PolicyStatement[] {
  if (services.length === 0) return [];
  return [
    new iam.PolicyStatement({
      sid: 'DeregisterOnlyFromConfiguredServices',
      actions: ['servicediscovery:ListInstances', 'servicediscovery:DeregisterInstance'],
      resources: services.map(
        (s) => `arn:${Aws.PARTITION}:servicediscovery:${s.region}:${Aws.ACCOUNT_ID}:service/${s.serviceId}`,
      ),
    }),
  ];
}

/** workloadStep reads AWS_EC2_Scheduler's workload and tier specs (a full Scan: they are small). */
export function readSpecTablesStatement(region: string, tables: string[]): iam.PolicyStatement {
  return new iam.PolicyStatement({
    sid: 'ReadWorkloadSpecTables',
    actions: ['dynamodb:Scan', 'dynamodb:GetItem', 'dynamodb:Query'],
    resources: tables.map((t) => `arn:${Aws.PARTITION}:dynamodb:${region}:${Aws.ACCOUNT_ID}:table/${t}`),
  });
}

/**
 * Workload status goes to the default status topic and the topics specs name
 * (looked up by name with ListTopics, which has no resource-level permissions).
 */
export function workloadStatusStatements(topicArns: string[]): iam.PolicyStatement[] {
  const statements = [
    new iam.PolicyStatement({
      sid: 'FindStatusTopicsByNameUnavoidablyOnStar',
      actions: ['sns:ListTopics'],
      resources: ['*'],
    }),
  ];
  if (topicArns.length) {
    statements.push(
      new iam.PolicyStatement({
        sid: 'PublishWorkloadStatus',
        actions: ['sns:Publish'],
        resources: topicArns,
      }),
    );
  }
  return statements;
}
