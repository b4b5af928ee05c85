/**
 * The EventBridge Scheduler plumbing the nag and stop schedulers share: a
 * group's one-shot `at()` schedules, created or (same name) updated, listed by
 * name prefix, read and deleted, with the service's errors translated by
 * `awsCall` (`{ cause }` kept). A schedule that is gone when read or deleted
 * has fired (`ActionAfterCompletion: DELETE`) or was cancelled meanwhile: that
 * is an answer, not an error. What a name means and what a schedule carries
 * stay with each scheduler.
 */
import {
  CreateScheduleCommand,
  type CreateScheduleCommandInput,
  DeleteScheduleCommand,
  GetScheduleCommand,
  ListSchedulesCommand,
  type SchedulerClient,
  UpdateScheduleCommand,
} from '@aws-sdk/client-scheduler';
import { ConflictError, NotFoundError } from '../core/errors.js';
import { awsCall } from './errors.js';

/** `at(2026-11-20T20:00:00)` in UTC, seconds precision. */
export function atExpression(when: Date): string {
  return `at(${when.toISOString().slice(0, 19)})`;
}

export interface OneShot {
  name: string;
  fireAt: Date;
  description: string;
  /** The function invoked, the role Scheduler assumes for it, and the JSON it receives. */
  target: { arn: string; roleArn: string; input: string };
}

/** A schedule as ListSchedules names it (no input). */
export interface ListedSchedule {
  name: string;
  /** Creation time, epoch ms (0 when the service gave none). */
  created: number;
}

export class OneShotSchedules {
  constructor(
    private readonly client: SchedulerClient,
    readonly groupName: string,
  ) {}

  /**
   * Creates the schedule, deleted by the service after it fires. One of the
   * same name already there is updated in place: callers name schedules by
   * fire time, so it has not fired yet and editing it is safe.
   */
  async put(s: OneShot): Promise<void> {
    const input: CreateScheduleCommandInput = {
      Name: s.name,
      GroupName: this.groupName,
      ScheduleExpression: atExpression(s.fireAt),
      ScheduleExpressionTimezone: 'UTC',
      FlexibleTimeWindow: { Mode: 'OFF' },
      ActionAfterCompletion: 'DELETE',
      Description: s.description,
      Target: {
        Arn: s.target.arn,
        RoleArn: s.target.roleArn,
        Input: s.target.input,
        // The default retries for a day; a nag or stop an hour late is repaired or moot by then.
        RetryPolicy: { MaximumRetryAttempts: 5, MaximumEventAgeInSeconds: 3600 },
      },
    };
    try {
      await awsCall(`CreateSchedule ${s.name}`, () => this.client.send(new CreateScheduleCommand(input)));
    } catch (err) {
      if (!(err instanceof ConflictError)) throw err;
      await awsCall(`UpdateSchedule ${s.name}`, () => this.client.send(new UpdateScheduleCommand(input)));
    }
  }

  /** The schedule's target input, or undefined when it is gone (fired and deleted since a listing). */
  async inputOf(name: string): Promise<string | undefined> {
    try {
      const res = await awsCall(`GetSchedule ${name}`, () =>
        this.client.send(new GetScheduleCommand({ Name: name, GroupName: this.groupName })),
      );
      return res.Target?.Input;
    } catch (err) {
      if (err instanceof NotFoundError) return undefined;
      throw err;
    }
  }

  /** Every schedule in the group whose name starts with `namePrefix` (all of them without one). */
  async list(namePrefix?: string): Promise<ListedSchedule[]> {
    const out: ListedSchedule[] = [];
    let nextToken: string | undefined;
    do {
      const page = await awsCall(`ListSchedules ${this.groupName}`, () =>
        this.client.send(
          new ListSchedulesCommand({
            GroupName: this.groupName,
            NamePrefix: namePrefix,
            MaxResults: 100,
            NextToken: nextToken,
          }),
        ),
      );
      for (const s of page.Schedules ?? []) {
        if (s.Name) out.push({ name: s.Name, created: s.CreationDate?.getTime() ?? 0 });
      }
      nextToken = page.NextToken || undefined;
    } while (nextToken);
    return out;
  }

  /** Deletes the schedule; one already gone is what was wanted. */
  async delete(name: string): Promise<void> {
    try {
      await awsCall(`DeleteSchedule ${name}`, () =>
        this.client.send(new DeleteScheduleCommand({ Name: name, GroupName: this.groupName })),
      );
    } catch (err) {
      if (!(err instanceof NotFoundError)) throw err;
    }
  }
}
