/**
 * Fires EventBridge Scheduler one-shot schedules on moto the way the service
 * would: every `at()` schedule in the group whose time has come (optionally
 * only names starting with `prefix`), oldest first, has its target invoked
 * with its input, and is then deleted (`ActionAfterCompletion: DELETE`).
 * moto stores schedules but never fires them; the test decides when "now" is.
 */
import {
  DeleteScheduleCommand,
  GetScheduleCommand,
  ListSchedulesCommand,
  type SchedulerClient,
} from '@aws-sdk/client-scheduler';

export interface FiredSchedule {
  name: string;
  at: Date;
  targetArn?: string;
  input: string;
}

export async function fireDueSchedules(
  client: SchedulerClient,
  opts: { group?: string; now: Date; prefixes?: string[] },
  invoke: (input: string, schedule: FiredSchedule) => Promise<void>,
): Promise<FiredSchedule[]> {
  const group = opts.group ?? 'lightsout';
  const listed =
    (await client.send(new ListSchedulesCommand({ GroupName: group, MaxResults: 100 }))).Schedules ?? [];
  const due: FiredSchedule[] = [];
  for (const s of listed) {
    if (!s.Name || (opts.prefixes && !opts.prefixes.some((p) => s.Name!.startsWith(p)))) continue;
    const full = await client.send(new GetScheduleCommand({ Name: s.Name, GroupName: group }));
    const m = /^at\((.+)\)$/.exec(full.ScheduleExpression ?? '');
    if (!m) continue;
    const at = new Date(`${m[1]}Z`);
    if (at.getTime() <= opts.now.getTime()) {
      due.push({ name: s.Name, at, targetArn: full.Target?.Arn, input: full.Target?.Input ?? '' });
    }
  }
  due.sort((a, b) => a.at.getTime() - b.at.getTime() || a.name.localeCompare(b.name));
  for (const d of due) {
    await invoke(d.input, d);
    await client.send(new DeleteScheduleCommand({ Name: d.name, GroupName: group })).catch(() => undefined);
  }
  return due;
}
