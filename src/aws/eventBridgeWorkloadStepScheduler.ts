/**
 * Workload steps on EventBridge Scheduler (Lambda mode): each delay, resize
 * wait and waiter poll is a one-shot `at()` schedule that invokes the
 * workloadStep function with `{runId, seq, dueAt}` and deletes itself after.
 *
 * Why schedules rather than Step Functions: the run's state machine already
 * lives in our code and our table (the same executor drives the single
 * process), so a schedule is only an alarm clock. A Step Functions workflow
 * would duplicate that machine in ASL, fork the two runtimes' behaviour, and
 * put run progress in a second place the CLI and chat would have to read.
 * The nag engine already uses this group, role and pattern.
 *
 * Names are per step (`wl-<runId>-<seq>`): a firing schedule deleting itself
 * can never race an update of the next step's schedule.
 */
import {
  CreateScheduleCommand,
  DeleteScheduleCommand,
  ListSchedulesCommand,
  type SchedulerClient,
} from '@aws-sdk/client-scheduler';
import { ConflictError, NotFoundError } from '../core/errors.js';
import { type Clock, systemClock } from '../ports/clock.js';
import type { WorkloadStepDue, WorkloadStepScheduler } from '../ports/workloadStepScheduler.js';
import { awsCall } from './errors.js';
import { atExpression } from './oneShotSchedules.js';

// EventBridge Scheduler fires with one-minute precision and does not reliably
// invoke an at() time in the past, so a step due now goes one minute out.
const MIN_LEAD_MS = 60_000;

export const stepScheduleName = (step: Pick<WorkloadStepDue, 'runId' | 'seq'>) =>
  `wl-${step.runId}-${step.seq}`;

export interface EventBridgeWorkloadStepSchedulerOptions {
  groupName: string;
  /** The workloadStep function. */
  targetArn: string;
  roleArn: string;
  clock?: Clock;
}

export class EventBridgeWorkloadStepScheduler implements WorkloadStepScheduler {
  private readonly clock: Clock;

  constructor(
    private readonly client: SchedulerClient,
    private readonly opts: EventBridgeWorkloadStepSchedulerOptions,
  ) {
    this.clock = opts.clock ?? systemClock;
  }

  async schedule(step: WorkloadStepDue): Promise<void> {
    const fireAt = new Date(Math.max(Date.parse(step.dueAt), this.clock().getTime() + MIN_LEAD_MS));
    const name = stepScheduleName(step);
    try {
      await awsCall(`CreateSchedule ${name}`, () =>
        this.client.send(
          new CreateScheduleCommand({
            Name: name,
            GroupName: this.opts.groupName,
            ScheduleExpression: atExpression(fireAt),
            ScheduleExpressionTimezone: 'UTC',
            FlexibleTimeWindow: { Mode: 'OFF' },
            ActionAfterCompletion: 'DELETE',
            Description: `Lights Out workload run ${step.runId} step ${step.seq}`,
            Target: {
              Arn: this.opts.targetArn,
              RoleArn: this.opts.roleArn,
              Input: JSON.stringify({ runId: step.runId, seq: step.seq, dueAt: step.dueAt }),
              // Failed steps are retried by the schedule; a stale retry is ignored by the executor.
              RetryPolicy: { MaximumRetryAttempts: 10, MaximumEventAgeInSeconds: 3600 },
            },
          }),
        ),
      );
    } catch (err) {
      // Same run and step already scheduled: the schedule is what we wanted.
      if (!(err instanceof ConflictError)) throw err;
    }
  }

  async cancel(runId: string): Promise<void> {
    let nextToken: string | undefined;
    do {
      const page = await awsCall(`ListSchedules wl-${runId}-`, () =>
        this.client.send(
          new ListSchedulesCommand({
            GroupName: this.opts.groupName,
            NamePrefix: `wl-${runId}-`,
            NextToken: nextToken,
          }),
        ),
      );
      for (const s of page.Schedules ?? []) {
        try {
          await awsCall(`DeleteSchedule ${s.Name}`, () =>
            this.client.send(new DeleteScheduleCommand({ Name: s.Name, GroupName: this.opts.groupName })),
          );
        } catch (err) {
          if (!(err instanceof NotFoundError)) throw err;
        }
      }
      nextToken = page.NextToken || undefined;
    } while (nextToken);
  }
}
