/**
 * Nag schedules on EventBridge Scheduler (Lambda mode): one one-shot
 * `at()` schedule per instance, deleted by the service after it fires
 * (`ActionAfterCompletion: DELETE`), so cost follows nags, not instance-hours.
 *
 * Naming: `<instanceId>-<region>`, e.g. `i-0123456789abcdef0-eu-west-1`.
 * Schedule names allow 64 chars of [0-9a-zA-Z-_.]; the longest instance id
 * (19) plus the longest region name (~14) fits with room to spare, and the
 * region keeps names unique when one stack watches several regions. The name
 * is derived from the key alone, so `schedule` upserts by construction.
 */
import {
  CreateScheduleCommand,
  type CreateScheduleCommandInput,
  CreateScheduleGroupCommand,
  DeleteScheduleCommand,
  GetScheduleCommand,
  ListSchedulesCommand,
  type SchedulerClient,
  UpdateScheduleCommand,
} from '@aws-sdk/client-scheduler';
import { ConflictError, NotFoundError } from '../core/errors.js';
import type { InstanceKey } from '../core/instance.js';
import { type Clock, systemClock } from '../ports/clock.js';
import type { NagSchedule, NagScheduler } from '../ports/nagScheduler.js';
import { awsCall } from './errors.js';

export interface EventBridgeNagSchedulerOptions {
  /** Schedule group (created by the stack); default `lightsout`. */
  groupName?: string;
  /** The nag function the schedules invoke. */
  targetArn: string;
  /** Role EventBridge Scheduler assumes to invoke the function. */
  roleArn: string;
  clock?: Clock;
}

const NAME = /^(i-[0-9a-f]+)-([a-z0-9-]+)$/;
// EventBridge Scheduler fires with one-minute precision; an `at()` time in the
// past is accepted but not reliably invoked, so overdue nags go one minute out.
const MIN_LEAD_MS = 60_000;
const GET_CONCURRENCY = 8;

/** `i-0abc…-us-east-1`: the schedule name for an instance. */
export function scheduleName(key: InstanceKey): string {
  return `${key.instanceId}-${key.region}`;
}

/** Inverse of scheduleName; undefined for names Lights Out did not create. */
export function keyFromScheduleName(name: string): InstanceKey | undefined {
  const m = NAME.exec(name);
  return m ? { instanceId: m[1]!, region: m[2]! } : undefined;
}

/** `at(2026-11-20T20:00:00)` in UTC, seconds precision. */
export function atExpression(when: Date): string {
  return `at(${when.toISOString().slice(0, 19)})`;
}

export class EventBridgeNagScheduler implements NagScheduler {
  readonly groupName: string;
  private readonly clock: Clock;

  constructor(
    private readonly client: SchedulerClient,
    private readonly opts: EventBridgeNagSchedulerOptions,
  ) {
    this.groupName = opts.groupName ?? 'lightsout';
    this.clock = opts.clock ?? systemClock;
  }

  /** Creates the schedule group if missing (the CDK stack normally does). */
  async ensureGroup(): Promise<void> {
    try {
      await awsCall(`CreateScheduleGroup ${this.groupName}`, () =>
        this.client.send(new CreateScheduleGroupCommand({ Name: this.groupName })),
      );
    } catch (err) {
      if (!(err instanceof ConflictError)) throw err;
    }
  }

  async schedule(entry: NagSchedule): Promise<void> {
    const fireAt = new Date(Math.max(Date.parse(entry.dueAt), this.clock().getTime() + MIN_LEAD_MS));
    const input: CreateScheduleCommandInput = {
      Name: scheduleName(entry),
      GroupName: this.groupName,
      ScheduleExpression: atExpression(fireAt),
      ScheduleExpressionTimezone: 'UTC',
      FlexibleTimeWindow: { Mode: 'OFF' },
      ActionAfterCompletion: 'DELETE',
      Description: `Lights Out nag for ${entry.instanceId} (${entry.region}) run ${entry.launchTime}`,
      Target: {
        Arn: this.opts.targetArn,
        RoleArn: this.opts.roleArn,
        Input: JSON.stringify({
          instanceId: entry.instanceId,
          region: entry.region,
          launchTime: entry.launchTime,
          dueAt: entry.dueAt,
        }),
        // The default retries for a day; after an hour the reconciler repairs a missed nag anyway.
        RetryPolicy: { MaximumRetryAttempts: 5, MaximumEventAgeInSeconds: 3600 },
      },
    };
    try {
      await awsCall(`CreateSchedule ${input.Name}`, () => this.client.send(new CreateScheduleCommand(input)));
    } catch (err) {
      if (!(err instanceof ConflictError)) throw err;
      await awsCall(`UpdateSchedule ${input.Name}`, () => this.client.send(new UpdateScheduleCommand(input)));
    }
  }

  async cancel(key: InstanceKey): Promise<void> {
    try {
      await awsCall(`DeleteSchedule ${scheduleName(key)}`, () =>
        this.client.send(new DeleteScheduleCommand({ Name: scheduleName(key), GroupName: this.groupName })),
      );
    } catch (err) {
      if (!(err instanceof NotFoundError)) throw err;
    }
  }

  /** The pending nag, or undefined when there is none (or it was edited beyond recognition). */
  async get(key: InstanceKey): Promise<NagSchedule | undefined> {
    try {
      const res = await awsCall(`GetSchedule ${scheduleName(key)}`, () =>
        this.client.send(new GetScheduleCommand({ Name: scheduleName(key), GroupName: this.groupName })),
      );
      return parseInput(res.Target?.Input);
    } catch (err) {
      if (err instanceof NotFoundError) return undefined;
      throw err;
    }
  }

  /**
   * Every pending nag in the group. ListSchedules returns no inputs, so this
   * costs one GetSchedule per schedule; `listKeys` is the cheap variant.
   */
  async list(): Promise<NagSchedule[]> {
    const keys = await this.listKeys();
    const out: NagSchedule[] = [];
    for (let i = 0; i < keys.length; i += GET_CONCURRENCY) {
      const batch = await Promise.all(keys.slice(i, i + GET_CONCURRENCY).map((k) => this.get(k)));
      for (const s of batch) if (s) out.push(s);
    }
    return out;
  }

  /** Which instances have a schedule, from names alone (one call per 100 schedules). */
  async listKeys(): Promise<InstanceKey[]> {
    const keys: InstanceKey[] = [];
    let nextToken: string | undefined;
    do {
      const page = await awsCall(`ListSchedules ${this.groupName}`, () =>
        this.client.send(
          new ListSchedulesCommand({ GroupName: this.groupName, MaxResults: 100, NextToken: nextToken }),
        ),
      );
      for (const s of page.Schedules ?? []) {
        const key = s.Name ? keyFromScheduleName(s.Name) : undefined;
        if (key) keys.push(key);
      }
      nextToken = page.NextToken || undefined;
    } while (nextToken);
    return keys;
  }
}

function parseInput(input: string | undefined): NagSchedule | undefined {
  if (!input) return undefined;
  try {
    const v = JSON.parse(input) as Partial<NagSchedule>;
    if (
      typeof v.instanceId === 'string' &&
      typeof v.region === 'string' &&
      typeof v.launchTime === 'string' &&
      typeof v.dueAt === 'string'
    ) {
      return { instanceId: v.instanceId, region: v.region, launchTime: v.launchTime, dueAt: v.dueAt };
    }
  } catch {
    // Hand-edited input: treat as missing so the reconciler recreates it.
  }
  return undefined;
}
