/**
 * The engine end to end on moto, Lambda mode: real handlers, DynamoDB,
 * EventBridge Scheduler, SNS and EC2. moto cannot move time or fire
 * schedules, so the test fires a schedule by calling the nagDue handler with
 * the schedule's own input, on a virtual clock set to its due time.
 */
import {
  DescribeInstancesCommand,
  EC2Client,
  RunInstancesCommand,
  StopInstancesCommand,
} from '@aws-sdk/client-ec2';
import {
  DeleteScheduleCommand,
  GetScheduleCommand,
  ListSchedulesCommand,
  SchedulerClient,
} from '@aws-sdk/client-scheduler';
import { CreateTopicCommand, SNSClient } from '@aws-sdk/client-sns';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { schedulerClient } from '../../src/aws/clients.js';
import { EventBridgeNagScheduler } from '../../src/aws/eventBridgeNagScheduler.js';
import { loadConfig } from '../../src/config/index.js';
import { HOUR } from '../../src/core/duration.js';
import { resetColdStart } from '../../src/lambda/monitorColdStart.js';
import { nagDueHandler } from '../../src/lambda/nagDue.js';
import { awsOutboxDeliverer } from '../../src/lambda/outboxDeps.js';
import { outboxStreamHandler } from '../../src/lambda/outboxStream.js';
import { handler as reconcile } from '../../src/lambda/reconcile.js';
import { handler as stateChange } from '../../src/lambda/stateChange.js';
import { createLogger } from '../../src/log.js';
import { MonitorService } from '../../src/services/monitor/monitorService.js';
import { awsMonitorDeps } from '../../src/wiring/awsMonitor.js';
import { createTable } from '../support/dynamoTable.js';
import { VirtualClock } from '../support/fakes.js';
import { sqsEvent, sqsRecord } from '../support/lambdaEvents.js';
import { useMoto } from '../support/moto.js';
import { openTableStream } from '../support/tableStream.js';

type Sent = [string, string, string | null, Record<string, { Type: string; Value: string }>, unknown];

const ENV = {
  REGIONS: 'us-east-1',
  TABLE_NAME: 'lightsout',
  SCHEDULE_GROUP: 'lightsout',
  NAG_FUNCTION_ARN: 'arn:aws:lambda:us-east-1:123456789012:function:lightsout-nag',
  SCHEDULER_ROLE_ARN: 'arn:aws:iam::123456789012:role/lightsout-scheduler',
  LOG_LEVEL: 'error',
};

describe('monitoring engine on moto (Lambda mode)', () => {
  const moto = useMoto();
  const saved: Record<string, string | undefined> = {};
  let ec2: EC2Client;
  let topics: { nags: string; events: string };

  beforeAll(() => {
    for (const [k, v] of Object.entries(ENV)) {
      saved[k] = process.env[k];
      process.env[k] = v;
    }
  });
  afterAll(() => {
    for (const k of [...Object.keys(ENV), 'SNS_TOPIC_ARN', 'EVENTS_TOPIC_ARN']) {
      if (saved[k] === undefined) delete process.env[k];
      else process.env[k] = saved[k];
    }
    resetColdStart();
  });

  beforeEach(async () => {
    await moto.reset();
    resetColdStart();
    ec2 = new EC2Client(moto.clientConfig);
    const sns = new SNSClient(moto.clientConfig);
    topics = {
      nags: (await sns.send(new CreateTopicCommand({ Name: 'lightsout-nags' }))).TopicArn!,
      events: (await sns.send(new CreateTopicCommand({ Name: 'lightsout-events' }))).TopicArn!,
    };
    process.env.SNS_TOPIC_ARN = topics.nags;
    process.env.EVENTS_TOPIC_ARN = topics.events;
    await createTable(moto, ENV.TABLE_NAME, { stream: true });
    await new EventBridgeNagScheduler(schedulerClient('us-east-1'), {
      targetArn: ENV.NAG_FUNCTION_ARN,
      roleArn: ENV.SCHEDULER_ROLE_ARN,
    }).ensureGroup();
  });

  async function launch(tags: Record<string, string>) {
    const res = await ec2.send(
      new RunInstancesCommand({
        ImageId: 'ami-12345678',
        InstanceType: 't3.micro',
        MinCount: 1,
        MaxCount: 1,
        TagSpecifications: [
          { ResourceType: 'instance', Tags: Object.entries(tags).map(([Key, Value]) => ({ Key, Value })) },
        ],
      }),
    );
    const instanceId = res.Instances![0]!.InstanceId!;
    const described = await ec2.send(new DescribeInstancesCommand({ InstanceIds: [instanceId] }));
    const launchTime = described.Reservations![0]!.Instances![0]!.LaunchTime!.toISOString();
    return { instanceId, launchTime };
  }

  const event = (instanceId: string, state: string, time = new Date().toISOString()) => ({
    version: '0',
    id: 'e6a0b8a0-0000-0000-0000-000000000000',
    source: 'aws.ec2',
    'detail-type': 'EC2 Instance State-change Notification',
    account: '123456789012',
    time,
    region: 'us-east-1',
    resources: [`arn:aws:ec2:us-east-1:123456789012:instance/${instanceId}`],
    detail: { 'instance-id': instanceId, state },
  });

  /** Names of the instance's schedules: `<instanceId>-<region>-<yyyymmddThhmm>`, one per due time. */
  async function scheduleNames(instanceId: string): Promise<string[]> {
    const client = new SchedulerClient(moto.clientConfig);
    const res = await client.send(
      new ListSchedulesCommand({ GroupName: 'lightsout', NamePrefix: `${instanceId}-us-east-1-` }),
    );
    return (res.Schedules ?? []).map((s) => s.Name!);
  }

  /** The instance's one schedule; fails when there is none or more than one. */
  async function getSchedule(instanceId: string) {
    const names = await scheduleNames(instanceId);
    expect(names).toHaveLength(1);
    const client = new SchedulerClient(moto.clientConfig);
    return client.send(new GetScheduleCommand({ GroupName: 'lightsout', Name: names[0] }));
  }

  const nameAt = (instanceId: string, iso: string, plusSeconds: number) =>
    `${instanceId}-us-east-1-${new Date(Date.parse(iso) + plusSeconds * 1000)
      .toISOString()
      .slice(0, 16)
      .replace(/[-:]/g, '')}`;

  async function published(topicArn: string): Promise<Sent[]> {
    const data = (await moto.data()) as { sns: { Topic: { arn: string; sent_notifications: Sent[] }[] } };
    return data.sns.Topic.find((t) => t.arn === topicArn)?.sent_notifications ?? [];
  }

  /** The nagDue handler over the same AWS resources, on a clock the test moves. */
  function nagDueAt(clock: VirtualClock) {
    const config = loadConfig(process.env);
    const log = createLogger('test', 'ERROR');
    const service = new MonitorService(awsMonitorDeps(config, log, clock.now));
    return nagDueHandler(() => ({ service, log }));
  }

  const at = (iso: string, plusSeconds: number) =>
    `at(${new Date(Date.parse(iso) + plusSeconds * 1000).toISOString().slice(0, 19)})`;

  it('schedules, nags through SNS with Target, stops and repairs, step by step', async () => {
    // 1. Launch tagged instances with the SDK.
    const web = await launch({ Monitor: 'true', MonitorGroup: 'web', Threshold: '2', Name: 'web-1' });

    // 2. Send the state-change event.
    expect(await stateChange(event(web.instanceId, 'running'))).toEqual({ status: 'handled' });

    // 3. The schedule exists with the right at() time.
    const schedule = await getSchedule(web.instanceId);
    expect(schedule.Name).toBe(nameAt(web.instanceId, web.launchTime, 2 * HOUR));
    expect(schedule.ScheduleExpression).toBe(at(web.launchTime, 2 * HOUR));
    expect(schedule.ActionAfterCompletion).toBe('DELETE');
    expect(schedule.Target?.Arn).toBe(ENV.NAG_FUNCTION_ARN);
    const input = JSON.parse(schedule.Target!.Input!);
    expect(input).toEqual({
      instanceId: web.instanceId,
      region: 'us-east-1',
      launchTime: web.launchTime,
      dueAt: new Date(Date.parse(web.launchTime) + 2 * HOUR * 1000).toISOString(),
    });

    // 4. Fire it from the test.
    const clock = new VirtualClock(new Date(input.dueAt));
    expect(await nagDueAt(clock)(input)).toEqual({ status: 'handled' });

    // 5. The SNS publication carries Target=<group> and the nag body.
    const [nag] = await published(topics.nags);
    expect(nag![3].Target).toEqual({ Type: 'String', Value: 'web' });
    expect(JSON.parse(nag![1])).toMatchObject({
      kind: 'nag',
      instanceId: web.instanceId,
      name: 'web-1',
      instanceType: 't3.micro',
      availabilityZone: expect.stringMatching(/^us-east-1[a-z]$/),
      account: '123456789012',
      region: 'us-east-1',
      group: 'web',
      runtimeSeconds: 2 * HOUR,
      thresholdSeconds: 2 * HOUR,
      nagCount: 1,
      warnings: [],
      consoleUrl: `https://us-east-1.console.aws.amazon.com/ec2/home?region=us-east-1#InstanceDetails:instanceId=${web.instanceId}`,
    });
    // The next nag is a new schedule (the firing one is never updated in place), and the only one.
    const next = await getSchedule(web.instanceId);
    expect(next.Name).toBe(nameAt(web.instanceId, web.launchTime, 3 * HOUR));
    expect(next.ScheduleExpression).toBe(at(web.launchTime, 3 * HOUR));

    // 6. Stop the instance: the schedule is gone, and the stopped event written to the
    //    outbox is published by the outbox function, fed from the table's stream.
    const stream = await openTableStream(moto, ENV.TABLE_NAME);
    await ec2.send(new StopInstancesCommand({ InstanceIds: [web.instanceId] }));
    await stateChange(event(web.instanceId, 'stopped'));
    expect(await scheduleNames(web.instanceId)).toEqual([]);
    expect(await published(topics.events)).toEqual([]);
    const log = createLogger('test', 'ERROR');
    const deliverer = awsOutboxDeliverer(loadConfig(process.env), log);
    expect(await outboxStreamHandler(() => ({ deliverer, log }))(await stream.next())).toEqual({
      batchItemFailures: [],
    });
    const [stopped] = await published(topics.events);
    expect(stopped![3].Event).toEqual({ Type: 'String', Value: 'instance.stopped' });
    expect(JSON.parse(stopped![1])).toMatchObject({
      type: 'instance.stopped',
      record: { instanceId: web.instanceId },
    });
  }, 60_000); // Ten steps against moto, now including the table's stream: longer than one call.

  it('reschedules nothing on a sweep when every healthy instance has its schedule', async () => {
    // Arrange: two running monitored instances, each scheduled from its running event.
    const web = await launch({ Monitor: 'true', Threshold: '4' });
    const db = await launch({ Monitor: 'true', Threshold: '6' });
    await stateChange(event(web.instanceId, 'running'));
    await stateChange(event(db.instanceId, 'running'));
    const before = [await scheduleNames(web.instanceId), await scheduleNames(db.instanceId)];

    // Act: the Lambda sweep, whose scheduler answers with listKeys.
    const report = await reconcile({});

    // Assert
    expect(report).toMatchObject({ created: [], rescheduled: [], removed: [] });
    expect([await scheduleNames(web.instanceId), await scheduleNames(db.instanceId)]).toEqual(before);
    expect(before.flat()).toHaveLength(2);
  });

  it('recreates a schedule deleted by hand on the next reconcile', async () => {
    const db = await launch({ Monitor: 'true', Threshold: '4' });
    await stateChange(event(db.instanceId, 'running'));
    const client = new SchedulerClient(moto.clientConfig);
    const [name] = await scheduleNames(db.instanceId);
    await client.send(new DeleteScheduleCommand({ GroupName: 'lightsout', Name: name }));

    const report = await reconcile({});

    expect(report.rescheduled).toEqual([`us-east-1/${db.instanceId}`]);
    expect((await getSchedule(db.instanceId)).ScheduleExpression).toBe(at(db.launchTime, 4 * HOUR));
  });

  it('tracks instances it missed and carries bad-tag warnings into the nag', async () => {
    const odd = await launch({ Monitor: 'TRUE', MonitorGroup: 'Bad Group', Threshold: 'abc' });
    await launch({ Name: 'not monitored' });

    const report = await reconcile({});

    expect(report.created).toEqual([`us-east-1/${odd.instanceId}`]);
    const input = JSON.parse((await getSchedule(odd.instanceId)).Target!.Input!);
    expect(input.dueAt).toBe(new Date(Date.parse(odd.launchTime) + 12 * HOUR * 1000).toISOString());
    await nagDueAt(new VirtualClock(new Date(input.dueAt)))(input);
    const [nag] = await published(topics.nags);
    expect(nag![3].Target).toEqual({ Type: 'String', Value: 'all' });
    expect(JSON.parse(nag![1]).warnings).toEqual([
      'MonitorGroup "Bad Group" must be lower-case letters and digits only; using all',
      'Threshold "abc" is not a duration; using 12h',
    ]);
  });

  it('takes a batch of events through SQS, dropping the malformed one without failing the batch', async () => {
    const a = await launch({ Monitor: 'true' });
    const b = await launch({ Monitor: 'true', Threshold: '90m' });

    const result = await stateChange(
      sqsEvent(
        sqsRecord('m1', event(a.instanceId, 'running')),
        sqsRecord('m2', 'not json'),
        sqsRecord('m3', event(b.instanceId, 'running')),
      ),
    );

    expect(result).toEqual({ batchItemFailures: [] });
    expect((await getSchedule(a.instanceId)).ScheduleExpression).toBe(at(a.launchTime, 12 * HOUR));
    expect((await getSchedule(b.instanceId)).ScheduleExpression).toBe(at(b.launchTime, 90 * 60));
  });

  it('drops malformed events with the reason instead of throwing', async () => {
    const result = await stateChange({ source: 'aws.ec2', detail: { state: 'running' } });

    expect(result).toMatchObject({ status: 'dropped' });
    expect('reason' in result && result.reason).toContain('instance-id');
    expect(await nagDueAt(new VirtualClock(new Date()))({ instanceId: 'nope' })).toMatchObject({
      status: 'dropped',
    });
  });
});
