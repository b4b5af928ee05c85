/**
 * The monitoring engine as the Lambda handlers get it: built once per
 * container at cold start (config, logger, AWS wiring), reused by later
 * invocations; a missing setting fails the cold start with the variable named.
 */

import type { Logger } from '@aws-lambda-powertools/logger';
import { configureAwsClients } from '../aws/clients.js';
import { type Config, type Env, loadConfig } from '../config/index.js';
import { createLogger } from '../log.js';
import { MonitorService } from '../services/monitor/monitorService.js';
import { awsMonitorDeps } from '../wiring/awsMonitor.js';

export interface LambdaMonitor {
  config: Config;
  /** Powertools' Logger: handlers add the Lambda context to it. */
  log: Logger;
  service: MonitorService;
}

let coldStart: LambdaMonitor | undefined;

/** Built once per Lambda container; later invocations reuse clients and config. */
export function monitorAtColdStart(
  env: Env = process.env,
  opts: { idleEvidence?: boolean } = {},
): LambdaMonitor {
  if (!coldStart) {
    const config = loadConfig(env);
    configureAwsClients(config.aws.clients);
    const log = createLogger('lightsout-monitor', config.logLevel);
    coldStart = { config, log, service: new MonitorService(awsMonitorDeps(config, log, undefined, opts)) };
  }
  return coldStart;
}

/** Tests only: forget the cold-start wiring so the next call re-reads the environment. */
export function resetColdStart(): void {
  coldStart = undefined;
}
