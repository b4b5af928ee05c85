/**
 * EventBridge rule target for "EC2 Instance State-change Notification".
 * Malformed events are logged with the reason and dropped (returning normally,
 * so Lambda does not retry them forever); AWS failures are rethrown so the
 * asynchronous invocation's own bounded retries apply.
 */
import type { Context } from 'aws-lambda';
import { z } from 'zod';
import { INSTANCE_STATES } from '../core/instance.js';
import { type LambdaMonitor, monitorAtColdStart } from './monitorDeps.js';

export const StateChangeEventSchema = z.object({
  source: z.literal('aws.ec2'),
  'detail-type': z.literal('EC2 Instance State-change Notification'),
  time: z.iso.datetime({ offset: true }),
  region: z.string().regex(/^[a-z]{2}(-[a-z]+)+-\d$/, 'an AWS region name'),
  detail: z.object({
    'instance-id': z.string().regex(/^i-[0-9a-f]{8,17}$/, 'an EC2 instance id'),
    state: z.enum(INSTANCE_STATES as [string, ...string[]]),
  }),
});

export type HandlerResult = { status: 'handled' } | { status: 'dropped'; reason: string };

/**
 * Builds the handler over a monitor; tests pass one with a virtual clock, since
 * moto cannot move time.
 */
export function stateChangeHandler(monitor: () => Pick<LambdaMonitor, 'service' | 'log'>) {
  return async (event: unknown, context?: Context): Promise<HandlerResult> => {
    const { service, log } = monitor();
    if (context) log.addContext(context);
    const parsed = StateChangeEventSchema.safeParse(event);
    if (!parsed.success) {
      const reason = z.prettifyError(parsed.error);
      log.error('malformed state-change event dropped', { reason, event: event as Record<string, unknown> });
      return { status: 'dropped', reason };
    }
    const e = parsed.data;
    log.info('state change', { instanceId: e.detail['instance-id'], state: e.detail.state, time: e.time });
    await service.handleStateChange({
      region: e.region,
      instanceId: e.detail['instance-id'],
      state: e.detail.state,
      time: new Date(e.time).toISOString(),
    });
    return { status: 'handled' };
  };
}

export const handler = stateChangeHandler(monitorAtColdStart);
