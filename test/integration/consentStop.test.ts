/**
 * Consented stops end to end on moto, Lambda mode: the stateChange handler
 * records the run (and the AutoStop tag's consent), the stop schedules live in
 * EventBridge Scheduler, and the test fires them the way the service would:
 * it reads each due schedule and invokes the consent function's handler with
 * its input, on a virtual clock set to the schedule's time. StopInstances
 * calls are counted by the proxy in front of moto.
 */
import {
  DescribeInstancesCommand,
  EC2Client,
  RunInstancesCommand,
  StopInstancesCommand,
} from '@aws-sdk/client-ec2';
import { ListSchedulesCommand, SchedulerClient } from '@aws-sdk/client-scheduler';
import { CreateTopicCommand, SNSClient } from '@aws-sdk/client-sns';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { dynamoDocumentClient, schedulerClient } from '../../src/aws/clients.js';
import { DynamoAuditLog } from '../../src/aws/dynamodb/auditLog.js';
import { EventBridgeNagScheduler } from '../../src/aws/eventBridgeNagScheduler.js';
import { loadConfig } from '../../src/config/index.js';
import { consentStopHandler } from '../../src/lambda/consentStop.js';
import { resetColdStart } from '../../src/lambda/monitorColdStart.js';
import { handler as stateChange } from '../../src/lambda/stateChange.js';
import { createLogger } from '../../src/log.js';
import { MonitorService } from '../../src/services/monitor/monitorService.js';
import { awsMonitorDeps } from '../../src/wiring/awsMonitor.js';
import { consentService } from '../../src/wiring/consentWiring.js';
import { createTable } from '../support/dynamoTable.js';
import { VirtualClock } from '../support/fakes.js';
import { useFaultProxy } from '../support/faultProxy.js';
import { useMoto } from '../support/moto.js';
import { fireDueSchedules } from '../support/schedulerFiring.js';

const ENV = {
  REGIONS: 'us-east-1',
  TABLE_NAME: 'lightsout',
  SCHEDULE_GROUP: 'lightsout',
  NAG_FUNCTION_ARN: 'arn:aws:lambda:us-east-1:123456789012:function:lightsout-nag',
  CONSENT_FUNCTION_ARN: 'arn:aws:lambda:us-east-1:123456789012:function:lightsout-consentStop',
  SCHEDULER_ROLE_ARN: 'arn:aws:iam::123456789012:role/lightsout-scheduler',
  LOG_LEVEL: 'error',
};

const ana = { platform: 'slack' as const, id: 'U0ANA', name: 'ana' };

describe('consented stops on moto (Lambda mode)', () => {
  const moto = useMoto();
  const proxy = useFaultProxy(moto);
  const saved: Record<string, string | undefined> = {};
  let ec2: EC2Client;

  beforeAll(() => {
    for (const [k, v] of Object.entries(ENV)) {
      saved[k] = process.env[k];
      process.env[k] = v;
    }
  });
  afterAll(() => {
    for (const k of [...Object.keys(ENV), 'SNS_TOPIC_ARN']) {
      if (saved[k] === undefined) delete process.env[k];
      else process.env[k] = saved[k];
    }
    resetColdStart();
  });

  beforeEach(async () => {
    await moto.reset();
    proxy.reset();
    resetColdStart();
    ec2 = new EC2Client(moto.clientConfig);
    const sns = new SNSClient(moto.clientConfig);
    process.env.SNS_TOPIC_ARN = (await sns.send(new CreateTopicCommand({ Name: 'lightsout-nags' })))
      .TopicArn!;
    await createTable(moto, ENV.TABLE_NAME, { stream: false });
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
    await stateChange({
      version: '0',
      id: 'e6a0b8a0-0000-0000-0000-000000000000',
      source: 'aws.ec2',
      'detail-type': 'EC2 Instance State-change Notification',
      account: '123456789012',
      time: new Date().toISOString(),
      region: 'us-east-1',
      resources: [`arn:aws:ec2:us-east-1:123456789012:instance/${instanceId}`],
      detail: { 'instance-id': instanceId, state: 'running' },
    });
    return { region: 'us-east-1', instanceId, launchTime };
  }

  /** The consent function's handler over the same resources, on a clock the test moves. */
  function consentAt(clock: VirtualClock) {
    const config = loadConfig(process.env);
    const log = createLogger('test', 'ERROR');
    const deps = awsMonitorDeps(config, log, clock.now);
    const audit = new DynamoAuditLog(dynamoDocumentClient('us-east-1'), ENV.TABLE_NAME);
    const service = consentService(
      new MonitorService(deps),
      { ...deps, stopScheduler: deps.stopScheduler! },
      audit,
      log,
    );
    return { service, audit, handler: consentStopHandler(() => ({ service, log })) };
  }

  /** Fires every stop schedule due by `iso` through the handler, with the clock at each one's time. */
  async function fireUntil(
    clock: VirtualClock,
    handler: ReturnType<typeof consentAt>['handler'],
    iso: string,
  ) {
    return fireDueSchedules(
      new SchedulerClient(moto.clientConfig),
      { now: new Date(iso), prefixes: ['stop-', 'warn-'] },
      async (input, schedule) => {
        clock.advanceTo(schedule.at);
        expect(schedule.targetArn).toBe(ENV.CONSENT_FUNCTION_ARN);
        expect(await handler(JSON.parse(input))).toEqual({ status: 'handled' });
      },
    );
  }

  it('a stop at a time: warned, then one StopInstances, with who consented audited', async () => {
    // Arrange
    const run = await launch({ Monitor: 'true', MonitorGroup: 'web', Name: 'render-1' });
    const clock = new VirtualClock(new Date());
    const { service, audit, handler } = consentAt(clock);
    const stopAt = new Date(clock.now().getTime() + 2 * 3600_000);
    stopAt.setUTCSeconds(0, 0);

    // Act
    const given = await service.give(run, { kind: 'at', at: stopAt.toISOString() }, ana);
    const early = await fireUntil(clock, handler, new Date(stopAt.getTime() - 11 * 60_000).toISOString());
    const warned = await fireUntil(clock, handler, new Date(stopAt.getTime() - 10 * 60_000).toISOString());
    const stopped = await fireUntil(clock, handler, stopAt.toISOString());

    // Assert
    expect(given.status).toBe('done');
    expect(early).toEqual([]);
    expect(warned.map((s) => s.name.slice(0, 5))).toEqual(['warn-']);
    expect(stopped.map((s) => s.name.slice(0, 5))).toEqual(['stop-']);
    expect(proxy.get().count('StopInstances').forwarded).toBe(1);
    const live = await ec2.send(new DescribeInstancesCommand({ InstanceIds: [run.instanceId] }));
    expect(live.Reservations![0]!.Instances![0]!.State?.Name).toMatch(/stopping|stopped/);
    const entries = await audit.recent(10);
    expect(entries.find((e) => e.action === 'stop')?.detail).toContain(
      `consented (at) by slack:U0ANA at ${given.status === 'done' ? given.record.stopConsent?.givenAt : ''}`,
    );
    expect(entries.find((e) => e.action === 'consented-stop')).toMatchObject({
      actor: 'slack:U0ANA',
      result: 'ok',
    });
  });

  it('the AutoStop tag schedules at the stateChange; a cancelled stop fires nothing', async () => {
    // Arrange: a clock time two hours ahead, as the tag would name it.
    const soon = new Date(Date.now() + 2 * 3600_000);
    const hhmm = soon.toISOString().slice(11, 16);
    const run = await launch({ Monitor: 'true', MonitorGroup: 'web', AutoStop: `at:${hhmm}` });
    const clock = new VirtualClock(new Date());
    const { service, handler } = consentAt(clock);
    const listed = await new SchedulerClient(moto.clientConfig).send(
      new ListSchedulesCommand({ GroupName: 'lightsout', NamePrefix: `stop-${run.instanceId}` }),
    );
    expect(listed.Schedules?.map((s) => s.Name)).toHaveLength(1);

    // Act
    const cancelled = await service.cancel(run, ana);
    const fired = await fireUntil(clock, handler, new Date(soon.getTime() + 60_000).toISOString());

    // Assert
    expect(cancelled).toMatchObject({
      status: 'done',
      notice: expect.stringContaining(`consented by the tag AutoStop=at:${hhmm}`),
    });
    expect(fired).toEqual([]);
    expect(proxy.get().count('StopInstances').forwarded).toBe(0);
  });

  it('an instance stopped outside Lights Out loses its stop schedules at the stateChange', async () => {
    // Arrange
    const run = await launch({ Monitor: 'true', MonitorGroup: 'web', Name: 'render-2' });
    const clock = new VirtualClock(new Date());
    const { service } = consentAt(clock);
    await service.give(run, { kind: 'at', at: new Date(Date.now() + 2 * 3600_000).toISOString() }, ana);
    const scheduler = new SchedulerClient(moto.clientConfig);
    const names = async () =>
      (
        await scheduler.send(new ListSchedulesCommand({ GroupName: 'lightsout', MaxResults: 100 }))
      ).Schedules?.map((s) => s.Name!).filter((n) => /^(stop|warn)-/.test(n) && n.includes(run.instanceId));
    const before = await names();

    // Act: someone stops it in the console; EC2's event reaches the stateChange function.
    await ec2.send(new StopInstancesCommand({ InstanceIds: [run.instanceId] }));
    await stateChange({
      version: '0',
      id: 'e6a0b8a0-0000-0000-0000-000000000001',
      source: 'aws.ec2',
      'detail-type': 'EC2 Instance State-change Notification',
      account: '123456789012',
      time: new Date().toISOString(),
      region: 'us-east-1',
      resources: [`arn:aws:ec2:us-east-1:123456789012:instance/${run.instanceId}`],
      detail: { 'instance-id': run.instanceId, state: 'stopped' },
    });

    // Assert
    expect(before).toHaveLength(2);
    expect(await names()).toEqual([]);
    const { service: after } = consentAt(clock);
    expect(
      await after.handleFiring({ kind: 'stop', ...run, stopAt: new Date().toISOString() }),
    ).toMatchObject({
      act: 'nothing',
    });
  });

  it('a firing for a run with no consent (cancelled, or never given) stops nothing; malformed input is dropped', async () => {
    const run = await launch({ Monitor: 'true', MonitorGroup: 'web' });
    const clock = new VirtualClock(new Date());
    const { handler } = consentAt(clock);

    const result = await handler({
      kind: 'stop',
      ...run,
      stopAt: new Date(Date.now() + 3600_000).toISOString(),
    });

    expect(result).toEqual({ status: 'handled' });
    expect(proxy.get().count('StopInstances').forwarded).toBe(0);
    expect(await handler({ kind: 'stop', instanceId: 'nope' })).toMatchObject({ status: 'dropped' });
  });
});
