import { Match, Template } from 'aws-cdk-lib/assertions';
import { describe, expect, it } from 'vitest';
import { HANDLED_STATES } from '../../infra/lib/monitoring.js';
import {
  actionsOf,
  resourcesOfType,
  roleStatements,
  type Statement,
  synthesize,
  useSynthesizedApp,
} from './synthesizedApp.js';

const HANDLERS = [
  'StateChange',
  'NagDue',
  'ConsentStop',
  'IdleCheck',
  'Reconcile',
  'OutboxStream',
  'SlackEvents',
  'ChatNotify',
  'WeeklyDigest',
  'WeeklyDigestTeamsDigest',
  'TeamsMessages',
  'WorkloadStep',
  'Decommission',
  'CloudMapReconcile',
];

const s = useSynthesizedApp();

const functions = () => resourcesOfType(s.json, 'AWS::Lambda::Function');
const functionEnv = (fragment: string): Record<string, unknown> => {
  const found = functions().find(([id]) => id.includes(fragment));
  if (!found) throw new Error(`no function matching ${fragment}`);
  return ((found[1].Environment as { Variables?: Record<string, unknown> })?.Variables ?? {}) as Record<
    string,
    unknown
  >;
};
describe('functions', () => {
  it('deploys one nodejs24.x arm64 function per handler, each with its own log group with retention', () => {
    // Arrange
    const fns = functions();
    const logGroups = resourcesOfType(s.json, 'AWS::Logs::LogGroup');

    // Assert
    expect(fns).toHaveLength(HANDLERS.length);
    for (const handler of HANDLERS) expect(fns.some(([id]) => id.includes(handler))).toBe(true);
    for (const [, props] of fns) {
      expect(props.Runtime).toBe('nodejs24.x');
      expect(props.Architectures).toEqual(['arm64']);
      expect(props.LoggingConfig).toEqual({ LogGroup: { Ref: expect.stringMatching(/Logs/) } });
    }
    expect(logGroups).toHaveLength(HANDLERS.length);
    for (const [, props] of logGroups) expect(props.RetentionInDays).toBe(30);
  });

  it('gives each function only its own environment', () => {
    // Act
    const stateChange = functionEnv('StateChange');
    const nagDue = functionEnv('NagDue');
    const notify = functionEnv('ChatNotify');

    // Assert
    expect(stateChange).toMatchObject({
      MONITOR_MODE: 'opt-in',
      REGIONS: 'eu-west-1,us-east-1',
      SCHEDULE_GROUP: 'lightsout',
    });
    // Only the outbox's deliverers publish domain events.
    expect(stateChange).not.toHaveProperty('EVENTS_TOPIC_ARN');
    expect(functionEnv('OutboxStream')).toHaveProperty('EVENTS_TOPIC_ARN');
    expect(functionEnv('Reconcile')).toHaveProperty('EVENTS_TOPIC_ARN');
    expect(stateChange).not.toHaveProperty('SLACK_SECRET_ARN');
    expect(nagDue).toHaveProperty('SNS_TOPIC_ARN');
    expect(functionEnv('WorkloadStep')).toMatchObject({ WORKLOAD_SPEC_SOURCE: 'dynamodb' });
    expect(functionEnv('WorkloadStep')).toHaveProperty('WORKLOAD_STEP_FUNCTION_ARN');
    expect(functionEnv('Decommission')).toMatchObject({
      CLEANUP_HOSTED_ZONES: 'Z0123456789ABCDEFGHIJ',
      CLEANUP_CLOUDMAP_SERVICES: 'srv-0123456789abcdef@eu-west-1',
    });
    expect(functionEnv('CloudMapReconcile')).not.toHaveProperty('TABLE_NAME');
    // Workload commands where commands arrive; progress messages from workloadStep.
    expect(functionEnv('SlackEvents')).toMatchObject({ WORKLOAD_SPEC_SOURCE: 'dynamodb' });
    expect(functionEnv('SlackEvents')).toHaveProperty('WORKLOAD_STEP_FUNCTION_ARN');
    expect(notify).not.toHaveProperty('WORKLOAD_STEP_FUNCTION_ARN');
    expect(functionEnv('WorkloadStep')).toHaveProperty('SLACK_SECRET_ARN');
    expect(nagDue).not.toHaveProperty('EVENTS_TOPIC_ARN');
    expect(notify).toHaveProperty('SLACK_SECRET_ARN');
    expect(notify).toHaveProperty('TEAMS_SECRET_ARN');
    expect(notify).not.toHaveProperty('EVENTS_TOPIC_ARN');
    expect(roleStatements(s.json, 'ChatNotify').flatMap(actionsOf)).not.toContain('ec2:StopInstances');
    expect(functionEnv('Decommission')).toHaveProperty('WEBHOOK_SECRET_ARN');
    expect(functionEnv('Reconcile')).not.toHaveProperty('WEBHOOK_SECRET_ARN');
  });

  it('passes optional settings from context only to the functions that read them', () => {
    // Arrange
    const withExtras = synthesize({
      settings: { functionEnvironment: { SLACK_ADMINS: 'U0123ABC', CLEANUP_DRY_RUN: 'true' } },
    });
    const env = (fragment: string) =>
      (
        resourcesOfType(withExtras.json, 'AWS::Lambda::Function').find(([id]) => id.includes(fragment))![1]
          .Environment as { Variables: Record<string, unknown> }
      ).Variables;

    // Act
    const slack = env('SlackEvents');
    const decommission = env('Decommission');
    const stateChange = env('StateChange');
    withExtras.dispose();

    // Assert
    expect(slack.SLACK_ADMINS).toBe('U0123ABC');
    expect(slack).not.toHaveProperty('CLEANUP_DRY_RUN');
    expect(decommission.CLEANUP_DRY_RUN).toBe('true');
    expect(stateChange).not.toHaveProperty('SLACK_ADMINS');
  });

  it('passes the AWS client timeouts to every function and the chat budgets to the answering ones', () => {
    // Arrange
    const tuned = synthesize({
      settings: {
        functionEnvironment: {
          AWS_CONNECT_TIMEOUT: '2s',
          AWS_REQUEST_TIMEOUT: '5s',
          AWS_MAX_ATTEMPTS: '2',
          AWS_RETRY_MODE: 'adaptive',
          CHAT_ACK_BUDGET: '1s',
          CHAT_ACTION_DEADLINE: '90s',
        },
      },
    });
    const all = resourcesOfType(tuned.json, 'AWS::Lambda::Function').filter(
      ([, fn]) =>
        (fn.Environment as { Variables?: Record<string, unknown> } | undefined)?.Variables?.TABLE_NAME,
    );
    const env = (fragment: string) =>
      (all.find(([id]) => id.includes(fragment))![1].Environment as { Variables: Record<string, unknown> })
        .Variables;

    // Act
    const slack = env('SlackEvents');
    const teams = env('TeamsMessages');
    const nagDue = env('NagDue');
    const withoutTimeouts = all.filter(([, fn]) => {
      const vars = (fn.Environment as { Variables: Record<string, unknown> }).Variables;
      return vars.AWS_REQUEST_TIMEOUT !== '5s' || vars.AWS_MAX_ATTEMPTS !== '2';
    });
    tuned.dispose();

    // Assert
    expect(all.length).toBeGreaterThan(5);
    expect(withoutTimeouts.map(([id]) => id)).toEqual([]);
    expect(slack).toMatchObject({
      AWS_CONNECT_TIMEOUT: '2s',
      AWS_RETRY_MODE: 'adaptive',
      CHAT_ACK_BUDGET: '1s',
      CHAT_ACTION_DEADLINE: '90s',
    });
    expect(teams).toMatchObject({ CHAT_ACK_BUDGET: '1s', CHAT_ACTION_DEADLINE: '90s' });
    expect(nagDue).not.toHaveProperty('CHAT_ACK_BUDGET');
  });

  it('lets the click functions run past CHAT_ACTION_DEADLINE by one worst-case try of hung EC2 calls', () => {
    // Arrange: a 5 minute deadline; one try is two EC2 calls of 3 attempts × (5 s connect + 20 s request)
    // plus the SDK's backoff between attempts (1 s + 2 s): 156 s. The deadline and one try: 456 s.
    const tuned = synthesize({
      settings: {
        functionEnvironment: {
          CHAT_ACTION_DEADLINE: '5m',
          AWS_CONNECT_TIMEOUT: '5s',
          AWS_REQUEST_TIMEOUT: '20s',
          AWS_MAX_ATTEMPTS: '3',
        },
      },
    });
    const timeoutOf = (fragment: string) =>
      resourcesOfType(tuned.json, 'AWS::Lambda::Function').find(([id]) => id.includes(fragment))![1]
        .Timeout as number;

    // Act
    const slack = timeoutOf('SlackEvents');
    const teams = timeoutOf('TeamsMessages');
    const notify = timeoutOf('ChatNotify');
    tuned.dispose();

    // Assert: room for the deadline and the try; Lambda's limit is 900 s. chatNotify takes no clicks.
    for (const timeout of [slack, teams]) {
      expect(timeout).toBeGreaterThanOrEqual(456);
      expect(timeout).toBeLessThanOrEqual(900);
    }
    expect(notify).toBe(60);
  });

  it('gives the click functions room for the default two minute deadline and one default try', () => {
    // Arrange: 120 s, and two EC2 calls of 3 attempts × (3 s + 10 s) with 3 s of backoff each: 84 s.
    const timeoutOf = (fragment: string) =>
      functions().find(([id]) => id.includes(fragment))![1].Timeout as number;

    // Act
    const timeouts = [timeoutOf('SlackEvents'), timeoutOf('TeamsMessages')];

    // Assert
    for (const timeout of timeouts) expect(timeout).toBeGreaterThanOrEqual(204);
  });

  it('gives every function that shows, records or judges "Stop when idle" the same IDLE_WINDOW', () => {
    // Arrange
    const tuned = synthesize({ settings: { functionEnvironment: { IDLE_WINDOW: '10m' } } });
    const env = (fragment: string) =>
      (
        resourcesOfType(tuned.json, 'AWS::Lambda::Function').find(([id]) => id.includes(fragment))![1]
          .Environment as { Variables: Record<string, unknown> }
      ).Variables;

    // Act: chatNotify draws the button, the endpoints record the click, idleCheck judges the window.
    const windows = ['ChatNotify', 'SlackEvents', 'TeamsMessages', 'IdleCheck'].map((f) => [
      f,
      env(f).IDLE_WINDOW,
    ]);
    const nagDue = env('NagDue');
    tuned.dispose();

    // Assert
    expect(Object.fromEntries(windows)).toEqual({
      ChatNotify: '10m',
      SlackEvents: '10m',
      TeamsMessages: '10m',
      IdleCheck: '10m',
    });
    expect(nagDue).not.toHaveProperty('IDLE_WINDOW');
  });

  it('points NAG_FUNCTION_ARN at the nag function itself', () => {
    // Arrange
    const [, nagDue] = functions().find(([id]) => id.includes('NagDue'))!;

    // Act
    const arn = JSON.stringify(functionEnv('StateChange').NAG_FUNCTION_ARN);

    // Assert
    expect(nagDue.FunctionName).toBe('LightsOut-nagDue');
    expect(arn).toContain(':function:LightsOut-nagDue');
  });
});

describe('events', () => {
  it('routes EC2 state changes in the handled states to stateChange, in batches through a queue', () => {
    s.template.hasResourceProperties('AWS::Events::Rule', {
      EventPattern: {
        source: ['aws.ec2'],
        'detail-type': ['EC2 Instance State-change Notification'],
        detail: { state: ['running', 'stopping', 'stopped', 'shutting-down', 'terminated'] },
      },
      Targets: [
        Match.objectLike({
          Arn: { 'Fn::GetAtt': [Match.stringLikeRegexp('StateChangeQueue'), 'Arn'] },
          DeadLetterConfig: Match.anyValue(),
        }),
      ],
    });
    s.template.hasResourceProperties('AWS::Lambda::EventSourceMapping', {
      EventSourceArn: { 'Fn::GetAtt': [Match.stringLikeRegexp('StateChangeQueue'), 'Arn'] },
      FunctionName: { Ref: Match.stringLikeRegexp('StateChangeFunction') },
      FunctionResponseTypes: ['ReportBatchItemFailures'],
    });
    s.template.hasResourceProperties('AWS::SQS::Queue', {
      RedrivePolicy: {
        deadLetterTargetArn: { 'Fn::GetAtt': [Match.stringLikeRegexp('StateChangeDlq'), 'Arn'] },
        maxReceiveCount: 5,
      },
    });
    expect(HANDLED_STATES).not.toContain('pending');
  });

  it('runs reconcile and the Cloud Map sweep on rate rules', () => {
    s.template.hasResourceProperties('AWS::Events::Rule', { ScheduleExpression: 'rate(15 minutes)' });
    s.template.hasResourceProperties('AWS::Events::Rule', { ScheduleExpression: 'rate(1 hour)' });
  });

  it('forwards state changes from each extra region to the home bus', () => {
    // Arrange
    const [forwarder] = s.stacks.forwarders;

    // Assert
    expect(s.stacks.forwarders).toHaveLength(1);
    expect(forwarder!.region).toBe('us-east-1');
    const json = JSON.stringify(Template.fromStack(forwarder!).toJSON());
    expect(json).toContain('EC2 Instance State-change Notification');
    expect(json).toContain(':events:eu-west-1:');
    expect(json).toContain('event-bus/default');
    const policies = Object.values(Template.fromStack(forwarder!).findResources('AWS::IAM::Policy'));
    const statements = policies.flatMap((p) => p.Properties.PolicyDocument.Statement as Statement[]);
    expect(statements).toHaveLength(1);
    expect(statements[0]!.Action).toBe('events:PutEvents');
    expect(JSON.stringify(statements[0]!.Resource)).toMatch(/:events:eu-west-1:.*:event-bus\/default/);
  });
});

describe('scheduling', () => {
  it('creates the lightsout schedule group', () => {
    s.template.hasResourceProperties('AWS::Scheduler::ScheduleGroup', { Name: 'lightsout' });
  });

  it('lets the scheduler role invoke only the nag, consent and workload step functions', () => {
    // Arrange
    const statements = roleStatements(s.json, 'SchedulesInvokeRole');

    // Assert
    expect(statements).toHaveLength(1);
    expect(actionsOf(statements[0]!)).toEqual(['lambda:InvokeFunction']);
    const resources = JSON.stringify(statements[0]!.Resource);
    expect(resources).toContain(':function:LightsOut-nagDue');
    expect(resources).toContain(':function:LightsOut-consentStop');
    expect(resources).toContain(':function:LightsOut-workloadStep');
    expect((statements[0]!.Resource as unknown[]).length).toBe(3);
  });

  it('lets only Scheduler assume that role, for this account', () => {
    s.template.hasResourceProperties('AWS::IAM::Role', {
      AssumeRolePolicyDocument: {
        Statement: [
          Match.objectLike({
            Principal: { Service: 'scheduler.amazonaws.com' },
            Condition: {
              StringEquals: { 'aws:SourceAccount': { Ref: 'AWS::AccountId' } },
              ArnEquals: {
                'aws:SourceArn': { 'Fn::GetAtt': [Match.stringLikeRegexp('^SchedulesGroup'), 'Arn'] },
              },
            },
          }),
        ],
      },
    });
  });

  it('grants iam:PassRole on the scheduler role only, and only to Scheduler', () => {
    // Arrange
    const passRole = resourcesOfType(s.json, 'AWS::IAM::Policy').flatMap(([, p]) =>
      (p.PolicyDocument as { Statement: Statement[] }).Statement.filter((st) =>
        actionsOf(st).includes('iam:PassRole'),
      ),
    );

    // Assert
    expect(passRole.length).toBeGreaterThan(0);
    for (const st of passRole) {
      expect(st.Resource).toEqual({ 'Fn::GetAtt': [expect.stringMatching(/^SchedulesInvokeRole/), 'Arn'] });
      expect(st.Condition).toEqual({ StringEquals: { 'iam:PassedToService': 'scheduler.amazonaws.com' } });
    }
  });
});

describe('table', () => {
  it('is on-demand with point-in-time recovery, TTL on expiresAt and deletion protection', () => {
    s.template.hasResourceProperties('AWS::DynamoDB::GlobalTable', {
      BillingMode: 'PAY_PER_REQUEST',
      KeySchema: [
        { AttributeName: 'pk', KeyType: 'HASH' },
        { AttributeName: 'sk', KeyType: 'RANGE' },
      ],
      TimeToLiveSpecification: { AttributeName: 'expiresAt', Enabled: true },
      Replicas: [
        Match.objectLike({
          PointInTimeRecoverySpecification: { PointInTimeRecoveryEnabled: true },
          DeletionProtectionEnabled: true,
        }),
      ],
    });
  });
});

describe('dead-letter queues and alarms', () => {
  it('alarms on every dead-letter queue, and on errors and throttles of every function', () => {
    // Arrange
    const alarms = resourcesOfType(s.json, 'AWS::CloudWatch::Alarm');
    const byMetric = (name: string) => alarms.filter(([, a]) => a.MetricName === name);

    // Assert
    expect(byMetric('Errors')).toHaveLength(HANDLERS.length);
    expect(byMetric('Throttles')).toHaveLength(HANDLERS.length);
    // async failures + state changes + nag deliveries + event deliveries + termination deliveries
    // + outbox stream records that could not be handled
    expect(byMetric('ApproximateNumberOfMessagesVisible')).toHaveLength(6);
    // ... plus the state-change queue itself
    expect(resourcesOfType(s.json, 'AWS::SQS::Queue')).toHaveLength(7);
  });

  it('sends alarm actions to the operator email', () => {
    s.template.hasResourceProperties('AWS::SNS::Subscription', {
      Protocol: 'email',
      Endpoint: 'ops@example.com',
    });
    for (const [, alarm] of resourcesOfType(s.json, 'AWS::CloudWatch::Alarm')) {
      expect(alarm.AlarmActions).toEqual([{ Ref: expect.stringMatching(/^AlarmsOperatorTopic/) }]);
    }
  });

  it('uses an existing topic instead when alarmTopicArn is set', () => {
    // Arrange
    const arn = 'arn:aws:sns:eu-west-1:123456789012:ops';
    const other = synthesize({
      settings: { alarmTopicArn: arn, operatorEmail: undefined },
      features: ['monitoring'],
    });

    // Act
    const alarms = resourcesOfType(other.json, 'AWS::CloudWatch::Alarm');
    const emails = resourcesOfType(other.json, 'AWS::SNS::Subscription').filter(
      ([, p]) => p.Protocol === 'email',
    );
    other.dispose();

    // Assert
    expect(alarms.length).toBeGreaterThan(0);
    for (const [, alarm] of alarms) expect(alarm.AlarmActions).toEqual([arn]);
    expect(emails).toEqual([]);
  });
});

describe('chat endpoints', () => {
  it('serves Slack and Teams from Function URLs with auth NONE and outputs them', () => {
    // Arrange
    const urls = resourcesOfType(s.json, 'AWS::Lambda::Url');

    // Assert
    expect(urls).toHaveLength(2);
    for (const [, url] of urls) expect(url.AuthType).toBe('NONE');
    expect(s.json.Outputs).toHaveProperty('SlackRequestUrl');
    expect(JSON.stringify(s.json.Outputs?.TeamsMessagingEndpoint?.Value)).toContain('api/messages');
  });
});

describe('outbox delivery from the table stream', () => {
  it('streams new images of the table to outboxStream, new outbox entries only, with a failure queue', () => {
    // Arrange
    const [, table] = resourcesOfType(s.json, 'AWS::DynamoDB::GlobalTable')[0]!;
    const [[, mapping]] = resourcesOfType(s.json, 'AWS::Lambda::EventSourceMapping').filter(([id]) =>
      id.includes('OutboxStream'),
    ) as [[string, Record<string, unknown>]];

    // Assert
    expect(table.StreamSpecification).toEqual({ StreamViewType: 'NEW_IMAGE' });
    expect(mapping).toMatchObject({
      StartingPosition: 'TRIM_HORIZON',
      FunctionResponseTypes: ['ReportBatchItemFailures'],
      BisectBatchOnFunctionError: true,
      MaximumRetryAttempts: 5,
      DestinationConfig: { OnFailure: { Destination: expect.anything() } },
    });
    const filter = JSON.parse(
      (mapping.FilterCriteria as { Filters: { Pattern: string }[] }).Filters[0]!.Pattern,
    );
    expect(filter).toEqual({ eventName: ['INSERT'], dynamodb: { Keys: { pk: { S: ['OUTBOX'] } } } });
  });

  it('lets outboxStream read the stream, update the table and publish domain events, and nothing else', () => {
    // Act
    const actions = roleStatements(s.json, 'OutboxStream').flatMap(actionsOf);
    const engine = ['StateChange', 'NagDue'].flatMap((f) => roleStatements(s.json, f).flatMap(actionsOf));

    // Assert
    expect(actions).toEqual(
      expect.arrayContaining([
        'dynamodb:GetRecords',
        'dynamodb:GetShardIterator',
        'dynamodb:UpdateItem',
        'sns:Publish',
      ]),
    );
    expect(actions).not.toContain('ec2:DescribeInstances');
    expect(actions).not.toContain('scheduler:CreateSchedule');
    // The engine functions only write the outbox; they publish no domain events themselves.
    expect(engine.filter((a) => a === 'sns:Publish')).toHaveLength(1);
  });
});
