/**
 * The idleCheck Lambda function on moto: runs recorded by the stateChange
 * handler, "stop when idle" consents on their records, metrics written with
 * PutMetricData into `AWS/EC2` and `CWAgent` (the agent's GPU metric), and
 * StopInstances counted by the proxy in front of moto. moto cannot move time,
 * so the warning comes from the handler built over a clock set fifteen
 * minutes back; the stop, once the grace period is over, from the exported
 * handler exactly as Lambda runs it (cold-start wiring from the environment,
 * CloudWatch and EC2 through the standard endpoint settings).
 */
import { DescribeInstancesCommand, EC2Client, RunInstancesCommand } from '@aws-sdk/client-ec2';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { dynamoDocumentClient, schedulerClient } from '../../src/aws/clients.js';
import { DynamoAuditLog } from '../../src/aws/dynamodb/auditLog.js';
import { DynamoSubscriptionStore } from '../../src/aws/dynamodb/subscriptionStore.js';
import { EventBridgeNagScheduler } from '../../src/aws/eventBridgeNagScheduler.js';
import { loadConfig } from '../../src/config/index.js';
import { MINUTE } from '../../src/core/duration.js';
import type { RunRef } from '../../src/core/instance.js';
import { handler, idleCheckHandler } from '../../src/lambda/idleCheck.js';
import { resetColdStart } from '../../src/lambda/monitorColdStart.js';
import { handler as stateChange } from '../../src/lambda/stateChange.js';
import { createLogger } from '../../src/log.js';
import { MonitorService } from '../../src/services/monitor/monitorService.js';
import { awsMonitorDeps } from '../../src/wiring/awsMonitor.js';
import { consentService } from '../../src/wiring/consentWiring.js';
import { idleCheckWiring } from '../../src/wiring/idleCheckWiring.js';
import { CloudWatchData } from '../support/cloudWatchData.js';
import { createTable } from '../support/dynamoTable.js';
import { VirtualClock } from '../support/fakes.js';
import { useFaultProxy } from '../support/faultProxy.js';
import { useMoto } from '../support/moto.js';

const ENV = {
  REGIONS: 'us-east-1',
  TABLE_NAME: 'lightsout',
  SCHEDULE_GROUP: 'lightsout',
  NAG_FUNCTION_ARN: 'arn:aws:lambda:us-east-1:123456789012:function:lightsout-nag',
  CONSENT_FUNCTION_ARN: 'arn:aws:lambda:us-east-1:123456789012:function:lightsout-consentStop',
  SCHEDULER_ROLE_ARN: 'arn:aws:iam::123456789012:role/lightsout-scheduler',
  SNS_TOPIC_ARN: 'arn:aws:sns:us-east-1:123456789012:lightsout-nags',
  LOG_LEVEL: 'error',
};
const ana = { platform: 'slack' as const, id: 'U0ANA', name: 'ana' };

describe('idleCheck function on moto', () => {
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
    for (const k of Object.keys(ENV)) {
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
    await createTable(moto, ENV.TABLE_NAME, { stream: false });
    await new EventBridgeNagScheduler(schedulerClient('us-east-1'), {
      targetArn: ENV.NAG_FUNCTION_ARN,
      roleArn: ENV.SCHEDULER_ROLE_ARN,
    }).ensureGroup();
  });

  /** A monitored instance, recorded as the stateChange function records a launch. */
  async function launch(name: string): Promise<RunRef> {
    const res = await ec2.send(
      new RunInstancesCommand({
        ImageId: 'ami-12345678',
        InstanceType: 'g5.xlarge',
        MinCount: 1,
        MaxCount: 1,
        TagSpecifications: [
          {
            ResourceType: 'instance',
            Tags: [
              { Key: 'Monitor', Value: 'true' },
              { Key: 'MonitorGroup', Value: 'render' },
              { Key: 'Name', Value: name },
            ],
          },
        ],
      }),
    );
    const instanceId = res.Instances![0]!.InstanceId!;
    const described = await ec2.send(new DescribeInstancesCommand({ InstanceIds: [instanceId] }));
    await stateChange({
      version: '0',
      id: `e6a0b8a0-0000-0000-0000-${instanceId.slice(-12)}`,
      source: 'aws.ec2',
      'detail-type': 'EC2 Instance State-change Notification',
      account: '123456789012',
      time: new Date().toISOString(),
      region: 'us-east-1',
      resources: [`arn:aws:ec2:us-east-1:123456789012:instance/${instanceId}`],
      detail: { 'instance-id': instanceId, state: 'running' },
    });
    return {
      region: 'us-east-1',
      instanceId,
      launchTime: described.Reservations![0]!.Instances![0]!.LaunchTime!.toISOString(),
    };
  }

  /** The function's wiring over `clock`: the consent service and the idle check. */
  function wiredAt(clock: VirtualClock) {
    const config = loadConfig(process.env);
    const log = createLogger('test', 'ERROR');
    const deps = awsMonitorDeps(config, log, clock.now);
    const doc = dynamoDocumentClient('us-east-1');
    const consents = consentService(
      new MonitorService(deps),
      { ...deps, stopScheduler: deps.stopScheduler! },
      new DynamoAuditLog(doc, ENV.TABLE_NAME),
      log,
    );
    const { check } = idleCheckWiring(config, {
      store: deps.store,
      fleet: deps.fleet,
      consents,
      subscriptions: new DynamoSubscriptionStore(doc, ENV.TABLE_NAME),
      clock: clock.now,
      log,
    });
    return { consents, handler: idleCheckHandler(() => ({ check, log })) };
  }

  it('warns an idle run, stops it after the grace period once, and leaves a run whose GPU is busy', async () => {
    // Arrange: two renders consented to stop when idle for 30m; one's GPU still works.
    const idle = await launch('render-idle');
    const gpuBusy = await launch('render-gpu');
    const now = new Date();
    const data = new CloudWatchData(moto.clientConfig);
    await data.publish(idle.instanceId, now, { fromMinutesAgo: 75 }, () => ({
      cpu: 0.4,
      network: 2_000,
      gpus: [0],
    }));
    await data.publish(gpuBusy.instanceId, now, { fromMinutesAgo: 75 }, () => ({
      cpu: 0.4,
      network: 2_000,
      gpus: [88],
    }));
    const earlier = new VirtualClock(new Date(now.getTime() - 15 * MINUTE * 1000));
    const past = wiredAt(earlier);
    for (const run of [idle, gpuBusy]) {
      const given = await past.consents.give(run, { kind: 'idle', forSeconds: 30 * MINUTE }, ana);
      expect(given.status).toBe('done');
    }

    // Act
    const warning = await past.handler({});
    const stop = await handler({});
    const again = await handler({});

    // Assert
    expect(warning.warned).toEqual([`us-east-1/${idle.instanceId}`]);
    expect(warning.waiting).toEqual([
      expect.stringContaining(`us-east-1/${gpuBusy.instanceId}: not idle yet`),
    ]);
    expect(warning.waiting[0]).toContain('GPU reached 88%');
    expect(stop.stopped).toEqual([`us-east-1/${idle.instanceId}: stopping`]);
    expect(again.stopped).toEqual([]);
    const stops = proxy.get().calls('StopInstances');
    expect(stops).toHaveLength(1);
    expect(stops[0]!.params).toMatchObject({ 'InstanceId.1': idle.instanceId });
    expect(proxy.get().count('GetMetricData').forwarded).toBeGreaterThan(0);
    const audit = await new DynamoAuditLog(dynamoDocumentClient('us-east-1'), ENV.TABLE_NAME).recent(20);
    expect(audit.find((a) => a.action === 'consented-stop')).toMatchObject({
      actor: 'slack:U0ANA',
      result: 'ok',
    });
  });

  it('a run with an idle consent but no metrics at all is never stopped, and says why', async () => {
    // Arrange
    const silent = await launch('render-silent');
    const past = wiredAt(new VirtualClock(new Date(Date.now() - 15 * MINUTE * 1000)));
    await past.consents.give(silent, { kind: 'idle', forSeconds: 30 * MINUTE }, ana);

    // Act
    const first = await past.handler({});
    const second = await handler({});

    // Assert
    expect(first.warned).toEqual([]);
    expect(second.waiting).toEqual([expect.stringContaining('no CPU data for the last 30m')]);
    expect(proxy.get().count('StopInstances').received).toBe(0);
  });
});
