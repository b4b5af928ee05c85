/**
 * Target of the workload runs' one-shot EventBridge Scheduler schedules:
 * input `{runId, seq, dueAt}`. Executes that step (and any that follow with
 * no delay), saves the run and schedules the next one. Malformed input is
 * logged and dropped; AWS failures are rethrown so the schedule retries.
 */
import type { Context } from 'aws-lambda';
import { z } from 'zod';
import { loadConfig } from '../config/index.js';
import { createLogger, type Log } from '../log.js';
import type { WorkloadService } from '../services/workloads/workloadService.js';
import { awsWorkloadRuntime } from '../workloads/workloadWiring.js';
import type { HandlerResult } from './stateChange.js';

export const WorkloadStepInputSchema = z.object({
  runId: z.string().regex(/^\d{8}T\d{6}Z-[\w-]+$/, 'a workload run id such as 20261121T044100Z-a1b2c3'),
  seq: z.number().int().positive(),
  dueAt: z.iso.datetime({ offset: true }).optional(),
});

export function workloadStepHandler(deps: () => { service: Pick<WorkloadService, 'handleStep'>; log: Log }) {
  return async (event: unknown, context?: Context): Promise<HandlerResult> => {
    const { service, log } = deps();
    if (context) log.addContext(context);
    const parsed = WorkloadStepInputSchema.safeParse(event);
    if (!parsed.success) {
      const reason = z.prettifyError(parsed.error);
      log.error('malformed workload step input dropped', { reason, event: event as Record<string, unknown> });
      return { status: 'dropped', reason };
    }
    const run = await service.handleStep(parsed.data);
    log.info('workload step handled', {
      runId: parsed.data.runId,
      seq: parsed.data.seq,
      status: run?.status,
      next: run?.next?.dueAt,
    });
    return { status: 'handled' };
  };
}

let coldStart: { service: WorkloadService; log: Log } | undefined;

function atColdStart() {
  if (!coldStart) {
    const config = loadConfig(process.env);
    const log = createLogger('lightsout-workloads', config.logLevel);
    coldStart = { service: awsWorkloadRuntime(config, { log }).service, log };
  }
  return coldStart;
}

export const handler = workloadStepHandler(atColdStart);
