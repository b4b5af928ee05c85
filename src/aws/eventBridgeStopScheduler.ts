/**
 * Consented stops on EventBridge Scheduler (Lambda mode): per consent, one
 * one-shot `at()` schedule for the stop and one for the warning before it,
 * in the nag schedules' group, each deleted by the service after it fires
 * (`ActionAfterCompletion: DELETE`). They invoke the consent function with
 * `{ kind, instanceId, region, launchTime, stopAt }`.
 *
 * Naming follows the nag schedules (`<instanceId>-<region>-<yyyymmddThhmm>`,
 * see eventBridgeNagScheduler.ts) with a `stop-` or `warn-` prefix and the
 * stop time: `stop-i-0abc…-eu-west-1-20301231T1900`. The prefix keeps them out
 * of the nag scheduler's listings (its names start with `i-`) and within the
 * 64-character limit (5 + 49). A moved stop gets new names, then the
 * instance's older ones are deleted, so a firing schedule is never edited.
 * A superseded schedule that cannot be deleted is reported, not thrown: when
 * it fires, the consent service finds the record naming another time (or
 * none) and does nothing, while throwing would have the caller undo a change
 * whose schedule already exists.
 */
import type { SchedulerClient } from '@aws-sdk/client-scheduler';
import type { InstanceKey } from '../core/instance.js';
import { type Clock, systemClock } from '../ports/clock.js';
import type {
  LeftSchedule,
  StopFiring,
  StopSchedule,
  StopScheduler,
  WantedStop,
} from '../ports/stopScheduler.js';
import { scheduleName, scheduleNamePrefix } from './eventBridgeNagScheduler.js';
import { OneShotSchedules } from './oneShotSchedules.js';

export interface EventBridgeStopSchedulerOptions {
  /** The nag schedules' group; default `lightsout`. */
  groupName?: string;
  /** The consent function the schedules invoke. */
  targetArn: string;
  /** Role EventBridge Scheduler assumes to invoke it. */
  roleArn: string;
  clock?: Clock;
}

type Kind = StopFiring['kind'];
const NAME = /^(stop|warn)-(i-[0-9a-f]+)-([a-z]{2}(?:-[a-z]+)+-\d)-(\d{8}T\d{4})$/;
// As for nags: an `at()` in the past is accepted but not reliably invoked.
const MIN_LEAD_MS = 60_000;

interface Entry {
  name: string;
  kind: Kind;
  key: InstanceKey;
  created: number;
}

/** `stop-i-0abc…-eu-west-1-20301231T1900`. */
export function stopScheduleName(kind: Kind, key: InstanceKey, stopAt: Date): string {
  return `${kind}-${scheduleName(key, stopAt)}`;
}

/** The firing a schedule's input describes, or undefined when it is not one of ours. */
export function parseStopFiring(input: unknown): StopFiring | undefined {
  let v = input;
  if (typeof v === 'string') {
    try {
      v = JSON.parse(v);
    } catch {
      return undefined;
    }
  }
  const f = v as Partial<StopFiring> | null;
  if (
    f &&
    (f.kind === 'warn' || f.kind === 'stop') &&
    typeof f.instanceId === 'string' &&
    typeof f.region === 'string' &&
    typeof f.launchTime === 'string' &&
    typeof f.stopAt === 'string'
  ) {
    return {
      kind: f.kind,
      instanceId: f.instanceId,
      region: f.region,
      launchTime: f.launchTime,
      stopAt: f.stopAt,
    };
  }
  return undefined;
}

export class EventBridgeStopScheduler implements StopScheduler {
  readonly groupName: string;
  private readonly clock: Clock;
  private readonly schedules: OneShotSchedules;

  constructor(
    client: SchedulerClient,
    private readonly opts: EventBridgeStopSchedulerOptions,
  ) {
    this.groupName = opts.groupName ?? 'lightsout';
    this.clock = opts.clock ?? systemClock;
    this.schedules = new OneShotSchedules(client, this.groupName);
  }

  async schedule(entry: StopSchedule, wanted?: WantedStop): Promise<LeftSchedule[]> {
    const stopAt = new Date(entry.stopAt);
    const keep = new Set([await this.put('stop', entry, stopAt, stopAt)]);
    if (entry.warnAt) keep.add(await this.put('warn', entry, stopAt, new Date(entry.warnAt)));
    // Only after the new ones exist, so a failure here leaves a spare firing (which checks the record), never none.
    const others = await this.othersThan(entry, keep, wanted);
    const results = await Promise.allSettled(others.map((e) => this.schedules.delete(e.name)));
    return results.flatMap((r, i) =>
      r.status === 'rejected' ? [{ name: others[i]!.name, error: String(r.reason) }] : [],
    );
  }

  async cancel(key: InstanceKey, wanted?: WantedStop): Promise<void> {
    const others = await this.othersThan(key, new Set(), wanted);
    await Promise.all(others.map((e) => this.schedules.delete(e.name)));
  }

  /**
   * The instance's schedules but `keep` and those of the stop `wanted` names.
   * Listed first, `wanted` read second: a change that lands in between wrote
   * its record before making its schedules, so either they are not in this
   * listing or the record read names them; either way they stay.
   */
  private async othersThan(key: InstanceKey, keep: Set<string>, wanted?: WantedStop): Promise<Entry[]> {
    const listed = await this.entriesOf(key);
    const want = wanted && listed.some((e) => !keep.has(e.name)) ? await wanted() : undefined;
    if (want) {
      const at = new Date(want.stopAt);
      for (const kind of ['stop', 'warn'] as const) keep.add(stopScheduleName(kind, want, at));
    }
    return listed.filter((e) => !keep.has(e.name));
  }

  async get(key: InstanceKey): Promise<StopSchedule | undefined> {
    return this.read(await this.entriesOf(key));
  }

  async list(): Promise<StopSchedule[]> {
    const byKey = new Map<string, Entry[]>();
    for (const kind of ['stop', 'warn'] as const) {
      for (const e of await this.entries(`${kind}-`)) {
        const k = `${e.key.region}/${e.key.instanceId}`;
        byKey.set(k, [...(byKey.get(k) ?? []), e]);
      }
    }
    const out: StopSchedule[] = [];
    for (const entries of byKey.values()) {
      const s = await this.read(entries);
      if (s) out.push(s);
    }
    return out.sort((a, b) => Date.parse(a.stopAt) - Date.parse(b.stopAt));
  }

  private async put(kind: Kind, entry: StopSchedule, stopAt: Date, at: Date): Promise<string> {
    const fireAt = new Date(Math.max(at.getTime(), this.clock().getTime() + MIN_LEAD_MS));
    const firing: StopFiring = {
      kind,
      instanceId: entry.instanceId,
      region: entry.region,
      launchTime: entry.launchTime,
      stopAt: entry.stopAt,
    };
    const name = stopScheduleName(kind, entry, stopAt);
    await this.schedules.put({
      name,
      fireAt,
      description: `Lights Out consented ${kind === 'warn' ? 'stop warning' : 'stop'} for ${entry.instanceId} (${entry.region}) at ${entry.stopAt}`,
      target: {
        arn: this.opts.targetArn,
        roleArn: this.opts.roleArn,
        input: JSON.stringify({ ...firing, warnAt: entry.warnAt }),
      },
    });
    return name;
  }

  /** The pending stop from the newest stop schedule; its warning only while that schedule still exists. */
  private async read(entries: Entry[]): Promise<StopSchedule | undefined> {
    const newest = (kind: Kind) =>
      entries
        .filter((e) => e.kind === kind)
        .sort((a, b) => b.created - a.created || b.name.localeCompare(a.name))[0];
    const stop = newest('stop');
    if (!stop) return undefined;
    const input = await this.inputOf(stop.name);
    if (!input) return undefined;
    const s: StopSchedule = {
      region: input.region,
      instanceId: input.instanceId,
      launchTime: input.launchTime,
      stopAt: input.stopAt,
    };
    const warn = newest('warn');
    if (warn && typeof input.warnAt === 'string' && warn.name === `warn-${stop.name.slice(5)}`) {
      s.warnAt = input.warnAt;
    }
    return s;
  }

  private async inputOf(name: string): Promise<(StopFiring & { warnAt?: unknown }) | undefined> {
    const raw = await this.schedules.inputOf(name);
    const firing = parseStopFiring(raw);
    if (!firing) return undefined;
    const warnAt = (JSON.parse(raw!) as { warnAt?: unknown }).warnAt;
    return { ...firing, warnAt };
  }

  private async entriesOf(key: InstanceKey): Promise<Entry[]> {
    const prefix = scheduleNamePrefix(key);
    const all = [...(await this.entries(`stop-${prefix}`)), ...(await this.entries(`warn-${prefix}`))];
    return all.filter((e) => e.key.instanceId === key.instanceId && e.key.region === key.region);
  }

  private async entries(namePrefix: string): Promise<Entry[]> {
    const out: Entry[] = [];
    for (const s of await this.schedules.list(namePrefix)) {
      const m = NAME.exec(s.name);
      if (m) out.push({ ...s, kind: m[1] as Kind, key: { instanceId: m[2]!, region: m[3]! } });
    }
    return out;
  }
}
