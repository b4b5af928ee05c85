import {
  CreateScheduleGroupCommand,
  GetScheduleCommand,
  ListSchedulesCommand,
  SchedulerClient,
} from '@aws-sdk/client-scheduler';
import { beforeEach, describe, expect, it } from 'vitest';
import { EventBridgeWorkloadStepScheduler } from '../../src/aws/eventBridgeWorkloadStepScheduler.js';
import { useMoto } from '../support/moto.js';

const moto = useMoto();
beforeEach(() => moto.reset());

/** The schedule group on moto and a scheduler whose clock reads 04:00 UTC. */
async function makeScheduler() {
  const client = new SchedulerClient(moto.clientConfig);
  await client.send(new CreateScheduleGroupCommand({ Name: 'lightsout' }));
  const scheduler = new EventBridgeWorkloadStepScheduler(client, {
    groupName: 'lightsout',
    targetArn: 'arn:aws:lambda:us-east-1:123456789012:function:workloadStep',
    roleArn: 'arn:aws:iam::123456789012:role/scheduler',
    clock: () => new Date('2026-11-21T04:00:00Z'),
  });
  return { client, scheduler };
}

describe('EventBridge workload step scheduler', () => {
  it('creates one one-shot schedule per step that invokes workloadStep with the step', async () => {
    const { client, scheduler } = await makeScheduler();

    await scheduler.schedule({ runId: '20261121T040000Z-a1', seq: 3, dueAt: '2026-11-21T04:10:00.000Z' });
    await scheduler.schedule({ runId: '20261121T040000Z-a1', seq: 3, dueAt: '2026-11-21T04:10:00.000Z' });
    const got = await client.send(
      new GetScheduleCommand({ Name: 'wl-20261121T040000Z-a1-3', GroupName: 'lightsout' }),
    );

    expect(got.ScheduleExpression).toBe('at(2026-11-21T04:10:00)');
    expect(got.ActionAfterCompletion).toBe('DELETE');
    expect(JSON.parse(got.Target?.Input ?? '{}')).toEqual({
      runId: '20261121T040000Z-a1',
      seq: 3,
      dueAt: '2026-11-21T04:10:00.000Z',
    });

    await scheduler.cancel('20261121T040000Z-a1');
    const left = await client.send(new ListSchedulesCommand({ GroupName: 'lightsout' }));
    expect(left.Schedules ?? []).toEqual([]);
  });

  it('puts a step due now one minute out, as Scheduler may skip a past at() time', async () => {
    const { client, scheduler } = await makeScheduler();

    await scheduler.schedule({ runId: '20261121T040000Z-a1', seq: 1, dueAt: '2026-11-21T04:00:00.000Z' });

    const got = await client.send(
      new GetScheduleCommand({ Name: 'wl-20261121T040000Z-a1-1', GroupName: 'lightsout' }),
    );
    expect(got.ScheduleExpression).toBe('at(2026-11-21T04:01:00)');
  });
});
