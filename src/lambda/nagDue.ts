/**
 * Target of the one-shot EventBridge Scheduler schedules: input
 * `{instanceId, region, launchTime, dueAt}`. Malformed input is logged and
 * dropped; AWS failures are rethrown so the schedule's retry policy applies.
 */
import type { Context } from 'aws-lambda';
import * as z from 'zod';
import { type LambdaMonitor, monitorAtColdStart } from './monitorColdStart.js';
import type { HandlerResult } from './stateChange.js';

export const NagDueInputSchema = z.object({
  instanceId: z.string().regex(/^i-[0-9a-f]{8,17}$/, 'an EC2 instance id'),
  region: z.string().regex(/^[a-z]{2}(-[a-z]+)+-\d$/, 'an AWS region name'),
  launchTime: z.iso.datetime({ offset: true }),
  dueAt: z.iso.datetime({ offset: true }),
});

/**
 * Builds the handler over a monitor; tests pass one with a virtual clock, since
 * moto cannot move time.
 */
export function nagDueHandler(monitor: () => Pick<LambdaMonitor, 'service' | 'log'>) {
  return async (event: unknown, context?: Context): Promise<HandlerResult> => {
    const { service, log } = monitor();
    if (context) log.addContext(context);
    const parsed = NagDueInputSchema.safeParse(event);
    if (!parsed.success) {
      const reason = z.prettifyError(parsed.error);
      log.error('malformed nag schedule input dropped', { reason, event: event as Record<string, unknown> });
      return { status: 'dropped', reason };
    }
    log.info('nag due', { ...parsed.data });
    await service.handleNagDue(parsed.data);
    return { status: 'handled' };
  };
}

// The nag function is the one engine function that reads CloudWatch: for the nag's idle evidence.
export const handler = nagDueHandler(() => monitorAtColdStart(undefined, { idleEvidence: true }));
