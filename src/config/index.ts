/**
 * The one typed config loader. Nothing else in Lights Out reads `process.env`:
 * entry points call `loadConfig(process.env)` once and pass sections down.
 */
import { type AwsConfig, readAwsConfig } from './aws.js';
import { type CleanupConfig, readCleanupConfig } from './cleanup.js';
import { type DeliveryConfig, readDeliveryConfig } from './delivery.js';
import { type DigestConfig, readDigestConfig } from './digest.js';
import { type Env, EnvReader } from './env.js';
import { type IdleConfig, readIdleConfig } from './idle.js';
import { type MonitorConfig, readMonitorConfig } from './monitor.js';
import { readSchedulerConfig, type SchedulerConfig } from './scheduler.js';
import { readSlackConfig, type SlackConfig } from './slack.js';
import { readStoreConfig, type StoreConfig } from './store.js';
import { readTeamsConfig, type TeamsConfig } from './teams.js';
import { readWorkloadsConfig, type WorkloadsConfig } from './workloads.js';

export interface Config {
  logLevel: 'DEBUG' | 'INFO' | 'WARN' | 'ERROR';
  monitor: MonitorConfig;
  store: StoreConfig;
  scheduler: SchedulerConfig;
  slack: SlackConfig;
  teams: TeamsConfig;
  workloads: WorkloadsConfig;
  cleanup: CleanupConfig;
  delivery: DeliveryConfig;
  /** Run history retention and the weekly digest's defaults. */
  digest: DigestConfig;
  /** Timeouts and retry budget of every AWS client; chat answer budgets. */
  aws: AwsConfig;
  /** Stop-when-idle thresholds and the nag's idle evidence. */
  idle: IdleConfig;
}

export class ConfigError extends Error {
  constructor(readonly problems: string[]) {
    super(`Invalid configuration:\n${problems.map((p) => `  - ${p}`).join('\n')}`);
    this.name = 'ConfigError';
  }
}

/** Reads and validates every setting; throws ConfigError listing all problems. */
export function loadConfig(env: Env): Config {
  const r = new EnvReader(env);
  const config: Config = {
    logLevel: r
      .oneOf('LOG_LEVEL', ['debug', 'info', 'warn', 'error'] as const, 'info')
      .toUpperCase() as Config['logLevel'],
    monitor: readMonitorConfig(r),
    store: readStoreConfig(r),
    scheduler: readSchedulerConfig(r),
    slack: readSlackConfig(r),
    teams: readTeamsConfig(r),
    workloads: readWorkloadsConfig(r),
    cleanup: readCleanupConfig(r),
    delivery: readDeliveryConfig(r),
    digest: readDigestConfig(r),
    aws: readAwsConfig(r),
    idle: readIdleConfig(r),
  };
  if (r.problems.length) throw new ConfigError(r.problems);
  return config;
}

export type { Env } from './env.js';
