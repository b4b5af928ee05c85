/**
 * EC2 "Instance State-change Notification" events, delivered either straight
 * from the EventBridge rule (one event) or through an SQS queue (a batch, so
 * one DescribeInstances serves many launches). Malformed events are logged
 * with the reason and dropped, never retried forever. AWS failures are
 * rethrown for a single event (Lambda's bounded async retries apply) and
 * reported per message for a batch (SQS partial batch response).
 */
import type { Context, SQSBatchResponse } from 'aws-lambda';
import * as z from 'zod';
import { INSTANCE_STATES } from '../core/instance.js';
import type { StateChangeInput } from '../services/monitor/api.js';
import { type LambdaMonitor, monitorAtColdStart } from './monitorColdStart.js';

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

const SqsBatchSchema = z.object({
  Records: z.array(z.object({ messageId: z.string(), body: z.string() })).min(1),
});

export type HandlerResult = { status: 'handled' } | { status: 'dropped'; reason: string };

type Monitor = Pick<LambdaMonitor, 'service' | 'log'>;

function parseEvent(event: unknown): { ok: true; input: StateChangeInput } | { ok: false; reason: string } {
  const parsed = StateChangeEventSchema.safeParse(event);
  if (!parsed.success) return { ok: false, reason: z.prettifyError(parsed.error) };
  const e = parsed.data;
  return {
    ok: true,
    input: {
      region: e.region,
      instanceId: e.detail['instance-id'],
      state: e.detail.state,
      time: new Date(e.time).toISOString(),
    },
  };
}

async function handleBatch(
  { service, log }: Monitor,
  records: { messageId: string; body: string }[],
): Promise<SQSBatchResponse> {
  const inputs: { messageId: string; input: StateChangeInput }[] = [];
  for (const record of records) {
    let body: unknown;
    try {
      body = JSON.parse(record.body);
    } catch {
      log.error('malformed state-change message dropped', {
        messageId: record.messageId,
        reason: 'body is not JSON',
      });
      continue;
    }
    const parsed = parseEvent(body);
    if (parsed.ok) inputs.push({ messageId: record.messageId, input: parsed.input });
    else
      log.error('malformed state-change event dropped', {
        messageId: record.messageId,
        reason: parsed.reason,
      });
  }
  const results = await service.handleStateChanges(inputs.map((i) => i.input));
  const failed = results.flatMap((r, k) => (r.error ? [{ itemIdentifier: inputs[k]!.messageId }] : []));
  log.info('state-change batch', {
    received: records.length,
    applied: inputs.length - failed.length,
    failed: failed.length,
  });
  return { batchItemFailures: failed };
}

/**
 * Builds the handler over a monitor; tests pass one with a virtual clock, since
 * moto cannot move time.
 */
export function stateChangeHandler(monitor: () => Monitor) {
  return async (event: unknown, context?: Context): Promise<HandlerResult | SQSBatchResponse> => {
    const m = monitor();
    if (context) m.log.addContext(context);
    const batch = SqsBatchSchema.safeParse(event);
    if (batch.success) return handleBatch(m, batch.data.Records);
    const parsed = parseEvent(event);
    if (!parsed.ok) {
      m.log.error('malformed state-change event dropped', {
        reason: parsed.reason,
        event: event as Record<string, unknown>,
      });
      return { status: 'dropped', reason: parsed.reason };
    }
    m.log.info('state change', { ...parsed.input });
    await m.service.handleStateChange(parsed.input);
    return { status: 'handled' };
  };
}

export const handler = stateChangeHandler(monitorAtColdStart);
