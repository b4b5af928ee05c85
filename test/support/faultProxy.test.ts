import { DynamoDBClient, ListTablesCommand } from '@aws-sdk/client-dynamodb';
import {
  DescribeInstanceStatusCommand,
  DescribeInstancesCommand,
  EC2Client,
  RunInstancesCommand,
  StopInstancesCommand,
} from '@aws-sdk/client-ec2';
import { ListSchedulesCommand, SchedulerClient } from '@aws-sdk/client-scheduler';
import { ListTopicsCommand, SNSClient } from '@aws-sdk/client-sns';
import { beforeEach, describe, expect, it } from 'vitest';
import { useFaultProxy } from './faultProxy.js';
import { useMoto } from './moto.js';

async function until(cond: () => boolean): Promise<void> {
  while (!cond()) await new Promise((r) => setTimeout(r, 10));
}

async function errorOf(p: Promise<unknown>): Promise<Error & { $metadata?: { httpStatusCode?: number } }> {
  try {
    await p;
  } catch (e) {
    return e as Error;
  }
  throw new Error('expected the call to fail');
}

describe('fault proxy in front of moto', () => {
  const moto = useMoto();
  const faults = useFaultProxy(moto);
  // One attempt, so each fault reaches the test instead of the SDK's retries.
  const config = () => ({ ...faults.get().clientConfig, maxAttempts: 1 });
  beforeEach(async () => {
    await moto.reset();
    faults.reset();
  });

  async function runInstance(ec2: EC2Client): Promise<string> {
    const out = await ec2.send(
      new RunInstancesCommand({ ImageId: 'ami-12345678', MinCount: 1, MaxCount: 1 }),
    );
    return out.Instances![0]!.InstanceId!;
  }

  it('forwards untouched calls to moto and counts them per action', async () => {
    // Arrange: a client built from AWS_ENDPOINT_URL alone, as production code builds them
    const ec2 = new EC2Client({ region: 'us-east-1' });
    // Act
    await runInstance(ec2);
    const out = await ec2.send(new DescribeInstancesCommand({}));
    // Assert
    expect(out.Reservations?.flatMap((r) => r.Instances ?? [])).toHaveLength(1);
    expect(faults.get().count('RunInstances')).toMatchObject({ received: 1, forwarded: 1 });
    expect(faults.get().count('DescribeInstances')).toMatchObject({
      received: 1,
      forwarded: 1,
      throttled: 0,
    });
  });

  it('throttles in each protocol with the error name the SDK classifies as throttling', async () => {
    const proxy = faults.get();
    for (const action of ['DescribeInstances', 'ListTables', 'ListTopics', /^GET \/schedules/]) {
      proxy.addRule({ action, fault: { kind: 'throttle' } });
    }

    const ec2 = await errorOf(new EC2Client(config()).send(new DescribeInstancesCommand({})));
    const ddb = await errorOf(new DynamoDBClient(config()).send(new ListTablesCommand({})));
    const sns = await errorOf(new SNSClient(config()).send(new ListTopicsCommand({})));
    const scheduler = await errorOf(new SchedulerClient(config()).send(new ListSchedulesCommand({})));

    expect([ec2.name, ddb.name, sns.name, scheduler.name]).toEqual([
      'RequestLimitExceeded',
      'ThrottlingException',
      'Throttling',
      'ThrottlingException',
    ]);
    expect(proxy.count('DescribeInstances')).toMatchObject({ received: 1, throttled: 1, forwarded: 0 });
    expect(proxy.count('ListTables').throttled).toBe(1);
  });

  it('answers a server error with the status asked for', async () => {
    faults.get().addRule({ action: 'DescribeInstances', fault: { kind: 'error', status: 503 } });

    const err = await errorOf(new EC2Client(config()).send(new DescribeInstancesCommand({})));

    expect(err.$metadata?.httpStatusCode).toBe(503);
    expect(faults.get().count('DescribeInstances').errored).toBe(1);
  });

  it('applies a fault to `times` calls, then lets calls through', async () => {
    faults.get().addRule({ action: 'DescribeInstances', fault: { kind: 'throttle' }, times: 2 });
    const ec2 = new EC2Client(config());

    const first = await errorOf(ec2.send(new DescribeInstancesCommand({})));
    const second = await errorOf(ec2.send(new DescribeInstancesCommand({})));
    const third = await ec2.send(new DescribeInstancesCommand({}));

    expect([first.name, second.name]).toEqual(['RequestLimitExceeded', 'RequestLimitExceeded']);
    expect(third.$metadata.httpStatusCode).toBe(200);
    expect(faults.get().count('DescribeInstances')).toMatchObject({
      received: 3,
      throttled: 2,
      forwarded: 1,
    });
  });

  it('throttles only a share of calls when given a rate', async () => {
    faults.get().addRule({ action: 'DescribeInstances', fault: { kind: 'throttle' }, rate: 0.3 });
    const ec2 = new EC2Client(config());

    const results = await Promise.allSettled(
      Array.from({ length: 50 }, () => ec2.send(new DescribeInstancesCommand({}))),
    );

    const counts = faults.get().count('DescribeInstances');
    expect(counts.throttled).toBe(results.filter((r) => r.status === 'rejected').length);
    expect(counts.throttled).toBeGreaterThan(0);
    expect(counts.forwarded).toBeGreaterThan(counts.throttled);
  });

  it('holds a hung call until released, then answers it from moto', async () => {
    const proxy = faults.get();
    const id = await runInstance(new EC2Client(config()));
    proxy.addRule({ action: 'DescribeInstanceStatus', fault: { kind: 'hang' } });
    let answered = false;

    const pending = new EC2Client(config())
      .send(new DescribeInstanceStatusCommand({ InstanceIds: [id] }))
      .finally(() => {
        answered = true;
      });
    await until(() => proxy.pendingHangs() === 1);
    const answeredWhileHung = answered;
    proxy.recover();
    const out = await pending;

    expect(answeredWhileHung).toBe(false);
    expect(out.InstanceStatuses?.[0]?.InstanceId).toBe(id);
    expect(proxy.count('DescribeInstanceStatus')).toMatchObject({ hung: 1, forwarded: 1, abandoned: 0 });
  });

  it('does not apply a hung call whose client gave up', async () => {
    const proxy = faults.get();
    const id = await runInstance(new EC2Client(config()));
    proxy.addRule({ action: 'StopInstances', fault: { kind: 'hang' } });
    const abort = new AbortController();

    const pending = errorOf(
      new EC2Client(config()).send(new StopInstancesCommand({ InstanceIds: [id] }), {
        abortSignal: abort.signal,
      }),
    );
    await until(() => proxy.pendingHangs() === 1);
    abort.abort();
    await pending;
    await until(() => proxy.pendingHangs() === 0);
    proxy.releaseHangs();
    const state = await new EC2Client(config()).send(new DescribeInstancesCommand({ InstanceIds: [id] }));

    expect(proxy.count('StopInstances')).toMatchObject({ hung: 1, abandoned: 1, forwarded: 0 });
    expect(state.Reservations?.[0]?.Instances?.[0]?.State?.Name).toBe('running');
  });

  it('drops the answer of a call moto has applied', async () => {
    const proxy = faults.get();
    const ec2 = new EC2Client(config());
    const id = await runInstance(ec2);
    proxy.addRule({ action: 'StopInstances', fault: { kind: 'dropAfterApply' }, times: 1 });

    const err = await errorOf(ec2.send(new StopInstancesCommand({ InstanceIds: [id] })));
    const state = await ec2.send(new DescribeInstancesCommand({ InstanceIds: [id] }));

    expect(err.$metadata?.httpStatusCode).toBeUndefined();
    expect(state.Reservations?.[0]?.Instances?.[0]?.State?.Name).toMatch(/stopp/);
    expect(proxy.count('StopInstances')).toMatchObject({ forwarded: 1, dropped: 1 });
    expect(proxy.calls('StopInstances')[0]!.params['InstanceId.1']).toBe(id);
  });
});
