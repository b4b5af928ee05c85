/**
 * Nag schedules on EventBridge Scheduler (Lambda mode): one one-shot
 * `at()` schedule per instance, deleted by the service after it fires
 * (`ActionAfterCompletion: DELETE`), so cost follows nags, not instance-hours.
 *
 * Naming: `<instanceId>-<region>-<yyyymmddThhmm>` of the fire time (UTC),
 * e.g. `i-0123456789abcdef0-eu-west-1-20301231T2359`. The name is unique per
 * due time because the nag function, invoked BY a schedule, schedules the
 * next nag: with one name per instance it would update the very schedule
 * that is firing, and Scheduler's delete-after-completion may then delete
 * the updated schedule, silently ending the hourly chain until the next
 * reconcile. With a fresh name, the firing schedule is never edited: the new
 * one is created, then the instance's other schedules are deleted (found by
 * ListSchedules with the `<instanceId>-<region>` prefix), so there is still one
 * schedule per instance, and never a moment with none.
 *
 * Schedule names allow 64 chars of [0-9a-zA-Z-_.]: the longest instance id
 * (19), the longest region name (15, `us-isof-south-1`) and the time (13) make
 * 49 with the dashes. The region keeps names unique when one stack watches
 * several regions. Names without the time suffix (before this scheme) are
 * still recognised, listed and deleted.
 */
import { CreateScheduleGroupCommand, type SchedulerClient } from '@aws-sdk/client-scheduler';
import { ConflictError } from '../core/errors.js';
import type { InstanceKey } from '../core/instance.js';
import { type Clock, systemClock } from '../ports/clock.js';
import type { NagSchedule, NagScheduler } from '../ports/nagScheduler.js';
import { awsCall } from './errors.js';
import { OneShotSchedules } from './oneShotSchedules.js';

export interface EventBridgeNagSchedulerOptions {
  /** Schedule group (created by the stack); default `lightsout`. */
  groupName?: string;
  /** The nag function the schedules invoke. */
  targetArn: string;
  /** Role EventBridge Scheduler assumes to invoke the function. */
  roleArn: string;
  clock?: Clock;
}

const NAME = /^(i-[0-9a-f]+)-([a-z0-9-]+?)(?:-(\d{8}T\d{4}))?$/;
// EventBridge Scheduler fires with one-minute precision; an `at()` time in the
// past is accepted but not reliably invoked, so overdue nags go one minute out.
const MIN_LEAD_MS = 60_000;
const GET_CONCURRENCY = 8;

/** `i-0abc…-us-east-1`: the prefix of every schedule name of an instance. */
export function scheduleNamePrefix(key: InstanceKey): string {
  return `${key.instanceId}-${key.region}`;
}

/** `i-0abc…-us-east-1-20301231T2359`: the schedule name for an instance's nag firing at `fireAt`. */
export function scheduleName(key: InstanceKey, fireAt: Date): string {
  const stamp = fireAt.toISOString().slice(0, 16).replace(/[-:]/g, '');
  return `${scheduleNamePrefix(key)}-${stamp}`;
}

/** Inverse of scheduleName (time suffix optional); undefined for names Lights Out did not create. */
export function keyFromScheduleName(name: string): InstanceKey | undefined {
  const m = NAME.exec(name);
  return m ? { instanceId: m[1]!, region: m[2]! } : undefined;
}

interface ScheduleEntry {
  name: string;
  key: InstanceKey;
  created: number;
}

export class EventBridgeNagScheduler implements NagScheduler {
  readonly groupName: string;
  private readonly clock: Clock;
  private readonly schedules: OneShotSchedules;

  constructor(
    private readonly client: SchedulerClient,
    private readonly opts: EventBridgeNagSchedulerOptions,
  ) {
    this.groupName = opts.groupName ?? 'lightsout';
    this.clock = opts.clock ?? systemClock;
    this.schedules = new OneShotSchedules(client, this.groupName);
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
    const name = scheduleName(entry, fireAt);
    // Same instance, same minute: that schedule has not fired yet (the firing one is at
    // least a minute older, see MIN_LEAD_MS), so updating it in place is safe.
    await this.schedules.put({
      name,
      fireAt,
      description: `Lights Out nag for ${entry.instanceId} (${entry.region}) run ${entry.launchTime}`,
      target: {
        arn: this.opts.targetArn,
        roleArn: this.opts.roleArn,
        input: JSON.stringify({
          instanceId: entry.instanceId,
          region: entry.region,
          launchTime: entry.launchTime,
          dueAt: entry.dueAt,
        }),
      },
    });
    // Only after the new one exists, so a failure here leaves a spare nag, never none.
    const others = (await this.entriesOf(entry)).filter((e) => e.name !== name);
    await Promise.all(others.map((e) => this.schedules.delete(e.name)));
  }

  /** Deletes every schedule of the instance (normally one). */
  async cancel(key: InstanceKey): Promise<void> {
    const entries = await this.entriesOf(key);
    await Promise.all(entries.map((e) => this.schedules.delete(e.name)));
  }

  /** The pending nag, or undefined when there is none (or it was edited beyond recognition). */
  async get(key: InstanceKey): Promise<NagSchedule | undefined> {
    const [newest] = newestFirst(await this.entriesOf(key));
    return newest ? this.readByName(newest.name) : undefined;
  }

  /**
   * Every pending nag in the group. ListSchedules returns no inputs, so this
   * costs one GetSchedule per schedule; `listKeys` is the cheap variant.
   */
  async list(): Promise<NagSchedule[]> {
    const byKey = new Map<string, ScheduleEntry>();
    for (const e of newestFirst(await this.entries())) {
      const k = `${e.key.region}/${e.key.instanceId}`;
      if (!byKey.has(k)) byKey.set(k, e);
    }
    const names = [...byKey.values()].map((e) => e.name);
    const out: NagSchedule[] = [];
    for (let i = 0; i < names.length; i += GET_CONCURRENCY) {
      const batch = await Promise.all(names.slice(i, i + GET_CONCURRENCY).map((n) => this.readByName(n)));
      for (const s of batch) if (s) out.push(s);
    }
    return out;
  }

  /** Which instances have a schedule, from names alone (one call per 100 schedules). */
  async listKeys(): Promise<InstanceKey[]> {
    const byKey = new Map<string, InstanceKey>();
    for (const e of await this.entries()) byKey.set(`${e.key.region}/${e.key.instanceId}`, e.key);
    return [...byKey.values()];
  }

  /** The instance's schedules: a NamePrefix listing, narrowed to exact matches (`eu-west-1` ≠ `eu-west-10`). */
  private async entriesOf(key: InstanceKey): Promise<ScheduleEntry[]> {
    const entries = await this.entries(scheduleNamePrefix(key));
    return entries.filter((e) => e.key.instanceId === key.instanceId && e.key.region === key.region);
  }

  private async entries(namePrefix?: string): Promise<ScheduleEntry[]> {
    const out: ScheduleEntry[] = [];
    for (const s of await this.schedules.list(namePrefix)) {
      const key = keyFromScheduleName(s.name);
      if (key) out.push({ ...s, key });
    }
    return out;
  }

  private async readByName(name: string): Promise<NagSchedule | undefined> {
    return parseInput(await this.schedules.inputOf(name));
  }
}

/** Newest first, so a leftover older schedule (crash between create and delete) never wins. */
function newestFirst(entries: ScheduleEntry[]): ScheduleEntry[] {
  return [...entries].sort((a, b) => b.created - a.created || b.name.localeCompare(a.name));
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
