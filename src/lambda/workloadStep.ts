/**
 * Target of the workload runs' one-shot EventBridge Scheduler schedules:
 * input `{runId, seq, dueAt}`. Executes that step (and any that follow with
 * no delay), saves the run and schedules the next one. Malformed input is
 * logged and dropped; AWS failures are rethrown so the schedule retries.
 */

import type { Logger } from '@aws-lambda-powertools/logger';
import { SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import type { Context } from 'aws-lambda';
import * as z from 'zod';
import { configureAwsClients, dynamoDocumentClient } from '../aws/clients.js';
import { workloadProgressListener } from '../chat/core/workloadProgress.js';
import { loadConfig } from '../config/index.js';
import { createLogger } from '../log.js';
import type { WorkloadService } from '../services/workloads/workloadService.js';
import { awsWorkloadRuntime } from '../wiring/workloadWiring.js';
import type { HandlerResult } from './stateChange.js';

export const WorkloadStepInputSchema = z.object({
  runId: z.string().regex(/^\d{8}T\d{6}Z-[\w-]+$/, 'a workload run id such as 20261121T044100Z-a1b2c3'),
  seq: z.number().int().positive(),
  dueAt: z.iso.datetime({ offset: true }).optional(),
});

export function workloadStepHandler(
  deps: () => { service: Pick<WorkloadService, 'handleStep'>; log: Logger },
) {
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

let coldStart: Promise<{ service: WorkloadService; log: Logger }> | undefined;

/**
 * Cold start: the AWS workload runtime, plus, when Slack is configured
 * (SLACK_SECRET_ARN), the Slack progress poster and, when Teams is (client id
 * + TEAMS_SECRET_ARN), the Teams one, so each step updates the run's chat
 * message where it was posted. Each platform's code is imported only when it
 * is configured.
 */
async function build(): Promise<{ service: WorkloadService; log: Logger }> {
  const config = loadConfig(process.env);
  configureAwsClients(config.aws.clients);
  const log = createLogger('lightsout-workloads', config.logLevel);
  const runtime = awsWorkloadRuntime(config, { log });
  const region = config.monitor.regions[0] ?? 'us-east-1';
  const secrets = new SecretsManagerClient({ region });
  if (config.slack.enabled && config.slack.secretArn) {
    const { slackAtColdStart } = await import('./slackRuntime.js');
    const slack = await slackAtColdStart(config, log, { secrets });
    runtime.status.subscribe(workloadProgressListener([slack.workloadProgress], log));
  }
  if (config.teams.enabled && config.store.tableName) {
    const { teamsAtColdStart } = await import('./teamsRuntime.js');
    const { DynamoChatInstallationStore } = await import('../aws/dynamodb/chatInstallationStore.js');
    const installations = new DynamoChatInstallationStore(
      dynamoDocumentClient(region),
      config.store.tableName,
    );
    const teams = await teamsAtColdStart(config, log, { secrets, installations });
    if (teams) runtime.status.subscribe(workloadProgressListener([teams.workloadProgress], log));
  }
  return { service: runtime.service, log };
}

const handle = workloadStepHandler(() => coldStartDeps);
let coldStartDeps: { service: WorkloadService; log: Logger };

export const handler = async (event: unknown, context?: Context): Promise<HandlerResult> => {
  coldStart ??= build();
  coldStartDeps = await coldStart.catch((err: unknown) => {
    coldStart = undefined;
    throw err;
  });
  return handle(event, context);
};
