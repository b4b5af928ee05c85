/**
 * Subscriber of the events topic (filter policy `Event=instance.terminated`):
 * runs the cleanup hooks for each terminated instance. SNS delivers at least
 * once; a run already cleaned up successfully is skipped, and every hook is
 * idempotent anyway. Malformed messages are logged with the reason and
 * dropped (retrying them cannot help); a failure to read or record state is
 * rethrown so Lambda's bounded async retries apply.
 */
import type { Context } from 'aws-lambda';
import * as z from 'zod';
import type { InstanceTerminatedEvent } from '../core/events.js';
import { INSTANCE_STATES } from '../core/instance.js';
import type { DecommissionResult } from '../services/cleanup/decommission.js';
import { cleanupAtColdStart, type LambdaCleanup } from './cleanupDeps.js';

const InstanceRecordSchema = z.looseObject({
  region: z.string().regex(/^[a-z]{2}(-[a-z]+)+-\d$/, 'an AWS region name'),
  instanceId: z.string().regex(/^i-[0-9a-f]{8,17}$/, 'an EC2 instance id'),
  launchTime: z.string().min(1),
  state: z.enum(INSTANCE_STATES as [string, ...string[]]),
  name: z.string().optional(),
  privateIp: z.string().optional(),
  publicIp: z.string().optional(),
  tags: z.record(z.string(), z.string()),
  group: z.string().min(1),
});

export const TerminatedEventSchema = z.object({
  type: z.literal('instance.terminated'),
  record: InstanceRecordSchema,
  runtimeSeconds: z.number(),
  at: z.string().min(1),
});

const SnsEventSchema = z.object({
  Records: z
    .array(z.object({ Sns: z.object({ MessageId: z.string().optional(), Message: z.string() }) }))
    .min(1),
});

export type DecommissionHandlerResult =
  | { status: 'handled'; results: DecommissionResult[]; dropped: string[] }
  | { status: 'dropped'; reason: string };

export function decommissionHandler(cleanup: () => Promise<Pick<LambdaCleanup, 'decommission' | 'log'>>) {
  return async (event: unknown, context?: Context): Promise<DecommissionHandlerResult> => {
    const { decommission, log } = await cleanup();
    if (context) log.addContext(context);
    const sns = SnsEventSchema.safeParse(event);
    if (!sns.success) {
      const reason = z.prettifyError(sns.error);
      log.error('event is not an SNS notification; dropped', { reason });
      return { status: 'dropped', reason };
    }
    const results: DecommissionResult[] = [];
    const dropped: string[] = [];
    for (const { Sns } of sns.data.Records) {
      let body: unknown;
      try {
        body = JSON.parse(Sns.Message);
      } catch {
        dropped.push(`message ${Sns.MessageId ?? ''} is not JSON`);
        log.error('SNS message is not JSON; dropped', { messageId: Sns.MessageId });
        continue;
      }
      const type = (body as { type?: unknown } | null)?.type;
      if (type !== 'instance.terminated') {
        // The subscription's filter policy should keep these away; say so rather than fail.
        dropped.push(`event type ${String(type)} is not handled here`);
        log.warn('not an instance.terminated event; ignored (check the subscription filter policy)', {
          type,
        });
        continue;
      }
      const parsed = TerminatedEventSchema.safeParse(body);
      if (!parsed.success) {
        const reason = z.prettifyError(parsed.error);
        dropped.push(reason);
        log.error('malformed instance.terminated event dropped', { reason, messageId: Sns.MessageId });
        continue;
      }
      const result = await decommission.onTerminated(parsed.data as unknown as InstanceTerminatedEvent);
      log.info('decommissioned', { instanceId: result.instanceId, ok: result.ok, summary: result.summary });
      results.push(result);
    }
    return { status: 'handled', results, dropped };
  };
}

export const handler = decommissionHandler(() => cleanupAtColdStart());
