import { GetScheduleCommand, ListSchedulesCommand, SchedulerClient } from '@aws-sdk/client-scheduler';
import { beforeEach, describe, expect, it } from 'vitest';
import { EventBridgeNagScheduler } from '../../src/aws/eventBridgeNagScheduler.js';
import { EventBridgeStopScheduler, parseStopFiring } from '../../src/aws/eventBridgeStopScheduler.js';
import { InProcessStopScheduler } from '../../src/local/inProcessStopScheduler.js';
import { createLogger } from '../../src/log.js';
import type { StopFiring, StopSchedule, StopScheduler } from '../../src/ports/stopScheduler.js';
import { openDatabase } from '../../src/sqlite/database.js';
import { SqliteStopScheduleStore } from '../../src/sqlite/stopScheduleStore.js';
import { ClockTimers } from '../support/clockTimers.js';
import { MemoryStopScheduler, VirtualClock } from '../support/fakes.js';
import { useMoto } from '../support/moto.js';
import { fireDueSchedules } from '../support/schedulerFiring.js';

const moto = useMoto();
const START = new Date('2030-01-01T00:00:00.000Z');
const CONSENT_FN = 'arn:aws:lambda:us-east-1:123456789012:function:lightsout-consent';
const NAG_FN = 'arn:aws:lambda:us-east-1:123456789012:function:lightsout-nag';
const ROLE = 'arn:aws:iam::123456789012:role/lightsout-scheduler';
const quietLog = createLogger('test', 'ERROR');
quietLog.setLogLevel('SILENT');

/** A scheduler plus "let time reach `at` and fire what is due through `handler`". */
interface Subject {
  scheduler: StopScheduler;
  fireUntil(at: Date, handler: (f: StopFiring) => Promise<void>): Promise<void>;
}

const implementations: [string, () => Promise<Subject>][] = [
  [
    'EventBridge Scheduler',
    async () => {
      await moto.reset();
      const client = new SchedulerClient(moto.clientConfig);
      await new EventBridgeNagScheduler(client, { targetArn: NAG_FN, roleArn: ROLE }).ensureGroup();
      const scheduler = new EventBridgeStopScheduler(client, {
        targetArn: CONSENT_FN,
        roleArn: ROLE,
        clock: () => START,
      });
      return {
        scheduler,
        fireUntil: async (at, handler) => {
          await fireDueSchedules(client, { now: at, prefixes: ['stop-', 'warn-'] }, async (input) => {
            await handler(parseStopFiring(input)!);
          });
        },
      };
    },
  ],
  [
    'in-process (SQLite)',
    async () => {
      const clock = new VirtualClock(START);
      const timers = new ClockTimers(clock);
      const scheduler = new InProcessStopScheduler(new SqliteStopScheduleStore(openDatabase(':memory:')), {
        clock: clock.now,
        timers,
        log: quietLog,
      });
      let handler: ((f: StopFiring) => Promise<void>) | undefined;
      await scheduler.start(async (f) => handler?.(f));
      return {
        scheduler,
        fireUntil: async (at, h) => {
          handler = h;
          clock.advanceTo(at);
          await timers.runDue(scheduler);
        },
      };
    },
  ],
  [
    'in-memory fake',
    async () => {
      const scheduler = new MemoryStopScheduler();
      return { scheduler, fireUntil: async (at, h) => void (await scheduler.fireDue(at, h)) };
    },
  ],
];

const stop = (instanceId: string, stopAt: string, over: Partial<StopSchedule> = {}): StopSchedule => ({
  region: 'eu-west-1',
  instanceId,
  launchTime: '2029-12-31T12:00:00.000Z',
  stopAt,
  ...over,
});

describe.each(implementations)('StopScheduler contract: %s', (_name, make) => {
  let subject: Subject;
  let scheduler: StopScheduler;
  beforeEach(async () => {
    subject = await make();
    scheduler = subject.scheduler;
  });

  it('has nothing for an unknown instance', async () => {
    expect(await scheduler.get({ region: 'eu-west-1', instanceId: 'i-0000000000000000a' })).toBeUndefined();
    expect(await scheduler.list()).toEqual([]);
  });

  it('reads back a stop with its warning as written', async () => {
    const entry = stop('i-0123456789abcdef0', '2030-01-01T19:00:00.000Z', {
      warnAt: '2030-01-01T18:50:00.000Z',
    });

    await scheduler.schedule(entry);

    expect(await scheduler.get(entry)).toEqual(entry);
    expect(await scheduler.list()).toEqual([entry]);
  });

  it('upserts: a moved stop replaces the old one, warning included', async () => {
    await scheduler.schedule(
      stop('i-0123456789abcdef0', '2030-01-01T19:00:00.000Z', { warnAt: '2030-01-01T18:50:00.000Z' }),
    );

    const moved = stop('i-0123456789abcdef0', '2030-01-01T20:00:00.000Z');
    await scheduler.schedule(moved);

    expect(await scheduler.list()).toEqual([moved]);
  });

  it('keeps instances and regions apart, and cancels idempotently', async () => {
    const a = stop('i-0123456789abcdef0', '2030-01-01T19:00:00.000Z');
    const b = stop('i-0123456789abcdef0', '2030-01-01T20:00:00.000Z', { region: 'eu-west-2' });
    await scheduler.schedule(a);
    await scheduler.schedule(b);

    await scheduler.cancel(a);
    await scheduler.cancel(a);

    expect(await scheduler.get(a)).toBeUndefined();
    expect(await scheduler.list()).toEqual([b]);
  });

  it('fires the warning, then the stop, each once, and then has nothing', async () => {
    const entry = stop('i-0123456789abcdef0', '2030-01-01T19:00:00.000Z', {
      warnAt: '2030-01-01T18:50:00.000Z',
    });
    await scheduler.schedule(entry);
    const fired: StopFiring[] = [];
    const handler = async (f: StopFiring) => void fired.push(f);

    await subject.fireUntil(new Date('2030-01-01T18:40:00.000Z'), handler);
    expect(fired).toEqual([]);

    await subject.fireUntil(new Date('2030-01-01T18:50:00.000Z'), handler);
    const { warnAt: _w, ...withoutWarning } = entry;
    expect(fired.map((f) => f.kind)).toEqual(['warn']);
    expect(await scheduler.get(entry)).toEqual(withoutWarning);

    await subject.fireUntil(new Date('2030-01-01T19:00:00.000Z'), handler);
    await subject.fireUntil(new Date('2030-01-01T19:05:00.000Z'), handler);
    expect(fired).toEqual([
      {
        kind: 'warn',
        region: 'eu-west-1',
        instanceId: entry.instanceId,
        launchTime: entry.launchTime,
        stopAt: entry.stopAt,
      },
      {
        kind: 'stop',
        region: 'eu-west-1',
        instanceId: entry.instanceId,
        launchTime: entry.launchTime,
        stopAt: entry.stopAt,
      },
    ]);
    expect(await scheduler.list()).toEqual([]);
  });

  it('fires nothing for a cancelled stop', async () => {
    const entry = stop('i-0123456789abcdef0', '2030-01-01T19:00:00.000Z', {
      warnAt: '2030-01-01T18:50:00.000Z',
    });
    await scheduler.schedule(entry);
    await scheduler.cancel(entry);
    const fired: StopFiring[] = [];

    await subject.fireUntil(new Date('2030-01-01T20:00:00.000Z'), async (f) => void fired.push(f));

    expect(fired).toEqual([]);
  });

  it('refuses a time that is not one', async () => {
    await expect(scheduler.schedule(stop('i-0123456789abcdef0', 'at seven'))).rejects.toThrow();
  });
});

describe('EventBridgeStopScheduler on moto', () => {
  it('makes one-shot, self-deleting at() schedules in the nag group, named apart from the nags', async () => {
    await moto.reset();
    const client = new SchedulerClient(moto.clientConfig);
    const nags = new EventBridgeNagScheduler(client, {
      targetArn: NAG_FN,
      roleArn: ROLE,
      clock: () => START,
    });
    await nags.ensureGroup();
    const stops = new EventBridgeStopScheduler(client, {
      targetArn: CONSENT_FN,
      roleArn: ROLE,
      clock: () => START,
    });
    const key = {
      region: 'eu-west-1',
      instanceId: 'i-0123456789abcdef0',
      launchTime: '2029-12-31T12:00:00.000Z',
    };
    await nags.schedule({ ...key, dueAt: '2030-01-01T13:00:00.000Z' });

    await stops.schedule({ ...key, stopAt: '2030-01-01T19:00:00.000Z', warnAt: '2030-01-01T18:50:00.000Z' });

    const names = ((await client.send(new ListSchedulesCommand({ GroupName: 'lightsout' }))).Schedules ?? [])
      .map((s) => s.Name)
      .sort();
    expect(names).toEqual([
      'i-0123456789abcdef0-eu-west-1-20300101T1300',
      'stop-i-0123456789abcdef0-eu-west-1-20300101T1900',
      'warn-i-0123456789abcdef0-eu-west-1-20300101T1900',
    ]);
    // The nag scheduler neither lists nor cancels the stop schedules.
    expect(await nags.listKeys()).toEqual([{ instanceId: key.instanceId, region: 'eu-west-1' }]);
    await nags.cancel(key);
    expect(await stops.get(key)).toMatchObject({ stopAt: '2030-01-01T19:00:00.000Z' });
    const s = await client.send(
      new GetScheduleCommand({
        GroupName: 'lightsout',
        Name: 'stop-i-0123456789abcdef0-eu-west-1-20300101T1900',
      }),
    );
    expect(s).toMatchObject({
      ScheduleExpression: 'at(2030-01-01T19:00:00)',
      ActionAfterCompletion: 'DELETE',
      Target: { Arn: CONSENT_FN, RoleArn: ROLE },
    });
    expect(parseStopFiring(s.Target?.Input)).toEqual({
      kind: 'stop',
      ...key,
      stopAt: '2030-01-01T19:00:00.000Z',
    });
  });
});
