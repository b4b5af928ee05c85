/**
 * EC2 "Instance State-change Notification" events, delivered either straight
 * from the EventBridge rule (one event) or through an SQS queue (a batch, so
 * one DescribeInstances serves many launches). Malformed events are logged
 * with the reason and dropped, never retried forever. AWS failures are
 * rethrown for a single event (Lambda's bounded async retries apply) and
 * reported per message for a batch (SQS partial batch response, built by
 * Powertools' batch utility).
 */
import { BatchProcessor, EventType, processPartialResponse } from '@aws-lambda-powertools/batch';
import type { Logger } from '@aws-lambda-powertools/logger';
import type { Context, SQSBatchResponse, SQSEvent, SQSRecord } from 'aws-lambda';
import * as z from 'zod';
import { INSTANCE_STATES } from '../core/instance.js';
import type { MonitorApi, StateChangeInput, StateChangeResult } from '../services/monitor/api.js';
import { monitorAtColdStart } from './monitorColdStart.js';

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

/*
 * Not Powertools' parser schemas: they import zod in a way esbuild cannot
 * tree-shake, which adds ~390 KB (every zod locale) to this bundle and takes it
 * over its 500 KB budget (`npm run bench -- bundles`).
 */
const SqsBatchSchema = z.object({
  Records: z.array(z.object({ messageId: z.string(), body: z.string() })).min(1),
});

/** The record's body, parsed as JSON; a parse failure becomes an issue like any other. */
const StateChangeBodySchema = z
  .string()
  .transform((body, ctx) => {
    try {
      return JSON.parse(body) as unknown;
    } catch {
      ctx.addIssue({ code: 'custom', message: 'body is not JSON' });
      return z.NEVER;
    }
  })
  .pipe(StateChangeEventSchema);

export type HandlerResult = { status: 'handled' } | { status: 'dropped'; reason: string };

interface Monitor {
  service: Pick<MonitorApi, 'handleStateChange' | 'handleStateChanges'>;
  log: Pick<Logger, 'info' | 'error' | 'addContext'>;
}

function toInput(e: z.infer<typeof StateChangeEventSchema>): StateChangeInput {
  return {
    region: e.region,
    instanceId: e.detail['instance-id'],
    state: e.detail.state,
    time: new Date(e.time).toISOString(),
  };
}

/**
 * Holds each record of one SQS batch until every record has arrived, then
 * applies them in one call: one DescribeInstances per region serves every
 * launch, and changes apply in event-time order whatever order they arrived
 * in. Each record's promise settles with its own result, so Powertools marks
 * exactly the failed ones. Needs the records processed in parallel.
 */
class WholeBatch {
  readonly #pending: { input: StateChangeInput; settle: (result?: StateChangeResult) => void }[] = [];
  #waiting: number;

  constructor(
    size: number,
    private readonly applyAll: (inputs: StateChangeInput[]) => Promise<StateChangeResult[]>,
  ) {
    this.#waiting = size;
  }

  /** A record that will not be applied (malformed). */
  skip(): void {
    this.#arrived();
  }

  apply(input: StateChangeInput): Promise<void> {
    return new Promise((resolve, reject) => {
      this.#pending.push({ input, settle: (r) => (r?.error ? reject(r.error) : resolve()) });
      this.#arrived();
    });
  }

  #arrived(): void {
    this.#waiting -= 1;
    if (this.#waiting === 0) void this.#flush();
  }

  async #flush(): Promise<void> {
    const pending = this.#pending;
    if (pending.length === 0) return;
    try {
      const results = await this.applyAll(pending.map((p) => p.input));
      for (const [k, p] of pending.entries()) p.settle(results[k]);
    } catch (error) {
      for (const p of pending) p.settle({ input: p.input, error });
    }
  }
}

async function handleBatch(
  { service, log }: Monitor,
  event: SQSEvent,
  context?: Context,
): Promise<SQSBatchResponse> {
  const batch = new WholeBatch(event.Records.length, (inputs) => service.handleStateChanges(inputs));
  let dropped = 0;
  const onRecord = async (record: SQSRecord): Promise<void> => {
    const parsed = StateChangeBodySchema.safeParse(record.body);
    if (parsed.success) return batch.apply(toInput(parsed.data));
    dropped += 1;
    log.error('malformed state-change message dropped', {
      messageId: record.messageId,
      reason: z.prettifyError(parsed.error),
    });
    batch.skip();
  };
  const response = await processPartialResponse(event, onRecord, new BatchProcessor(EventType.SQS), {
    context,
    // Every record waits for the whole batch (see WholeBatch), so they must all be in flight at once.
    processInParallel: true,
    // All failed: report them all, as for any partial failure, rather than fail the invocation.
    throwOnFullBatchFailure: false,
  });
  const failed = response.batchItemFailures.length;
  log.info('state-change batch', {
    received: event.Records.length,
    applied: event.Records.length - dropped - failed,
    failed,
  });
  return response;
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
    if (batch.success) return handleBatch(m, event as SQSEvent, context);
    const parsed = StateChangeEventSchema.safeParse(event);
    if (!parsed.success) {
      const reason = z.prettifyError(parsed.error);
      m.log.error('malformed state-change event dropped', {
        reason,
        event: event as Record<string, unknown>,
      });
      return { status: 'dropped', reason };
    }
    const input = toInput(parsed.data);
    m.log.info('state change', { ...input });
    await m.service.handleStateChange(input);
    return { status: 'handled' };
  };
}

export const handler = stateChangeHandler(monitorAtColdStart);
