/**
 * `lightsout cloudmap reconcile`: deregisters Cloud Map service instances
 * whose EC2 instance is gone (or has another IP), every `--frequency` seconds
 * or once with `--single-run`.
 *
 * Signals: SIGINT/SIGTERM let the pass in progress finish (a half-applied
 * pass is what the signal must never cause), then the command exits 0.
 * `--single-run` exits 0 when the pass succeeded and 1 when it failed, so a
 * cron job or Kubernetes CronJob can alert on it.
 */
import { type Command, InvalidArgumentError, Option } from 'commander';
import { loadServiceDiscoveryClient } from '../../aws/clients.js';
import { CloudMapRegistry } from '../../aws/cloudMapRegistry.js';
import { LightsOutError, ValidationError } from '../../core/errors.js';
import { createLogger } from '../../log.js';
import {
  type CloudMapReconcileReport,
  CloudMapReconciler,
} from '../../services/cleanup/cloudMapReconciler.js';
import { ReconcileMetrics } from '../../services/cleanup/reconcileMetrics.js';
import type { CliCommand, CliContext } from '../context.js';
import { type MetricsServer, startMetricsServer } from './metricsServer.js';

export interface ReconcileOptions {
  serviceId: string;
  serviceRegion: string;
  instancesRegion: string[];
  frequency: number;
  singleRun?: boolean;
  dryRun?: boolean;
  enablePrometheus?: boolean;
  prometheusHost: string;
  prometheusPort: number;
  logLevel?: string;
}

const REGION_RE = /^[a-z]{2}(-[a-z]+)+-\d$/;

const region = (value: string): string => {
  if (!REGION_RE.test(value))
    throw new InvalidArgumentError(`"${value}" is not an AWS region such as eu-west-1.`);
  return value;
};
const regions = (value: string, previous: string[] | undefined): string[] => [
  ...(previous ?? []),
  region(value),
];
const wholeNumber =
  (min: number, max: number) =>
  (value: string): number => {
    const n = Number(value);
    if (!Number.isInteger(n) || n < min || n > max) {
      throw new InvalidArgumentError(`"${value}" must be a whole number from ${min} to ${max}.`);
    }
    return n;
  };
const serviceId = (value: string): string => {
  if (!/^srv-[a-z0-9]{1,64}$/.test(value)) {
    throw new InvalidArgumentError(`"${value}" is not a Cloud Map service id (they look like srv-abc123).`);
  }
  return value;
};

/** `cloudmap reconcile`, registered in src/cli/program.ts. */
export const cloudMapCommand: CliCommand = {
  register(program: Command, ctx: CliContext) {
    const cloudmap = program.command('cloudmap').description('AWS Cloud Map housekeeping');
    cloudmap
      .command('reconcile')
      .description(
        'Deregister Cloud Map service instances whose EC2 instance is no longer running with that IP',
      )
      .requiredOption('--service-id <id>', 'Cloud Map service id, e.g. srv-abc123', serviceId)
      .requiredOption('--service-region <region>', 'region of the Cloud Map service', region)
      .requiredOption('--instances-region <regions...>', 'regions where the EC2 instances run', regions)
      .option('--frequency <seconds>', 'seconds between passes', wholeNumber(1, 86_400), 300)
      .option('--single-run', 'run one pass and exit: 0 on success, 1 on failure')
      .option('--dry-run', 'report what would be deregistered, change nothing')
      .option('--enable-prometheus', 'serve Prometheus metrics at /metrics')
      .option('--prometheus-host <host>', 'address the metrics server binds to', '127.0.0.1')
      .option('--prometheus-port <port>', 'port of the metrics server', wholeNumber(0, 65_535), 9100)
      .addOption(
        new Option('--log-level <level>', 'log level (default: LOG_LEVEL or INFO)').choices([
          'DEBUG',
          'INFO',
          'WARN',
          'ERROR',
          'debug',
          'info',
          'warn',
          'error',
        ]),
      )
      .addHelpText(
        'after',
        '\nExamples:\n' +
          '  lightsout cloudmap reconcile --service-id srv-abc123 --service-region eu-west-1 --instances-region eu-west-1 --single-run\n' +
          '  lightsout cloudmap reconcile --service-id srv-abc123 --service-region us-east-1 \\\n' +
          '    --instances-region us-east-1 us-west-2 --frequency 60 --enable-prometheus --prometheus-port 9100',
      )
      .action(async (opts: ReconcileOptions) => {
        const ok = await runCloudMapReconcile(opts, ctx);
        if (!ok)
          throw new LightsOutError('reconcile_failed', 'the reconcile pass failed (see the log above)');
      });
  },
};

/** The command body; resolves to false when a `--single-run` pass failed. */
export async function runCloudMapReconcile(opts: ReconcileOptions, ctx: CliContext): Promise<boolean> {
  const config = ctx.config();
  const log = createLogger('lightsout-cloudmap', (opts.logLevel ?? config.logLevel).toUpperCase());
  const target = {
    serviceId: opts.serviceId,
    serviceRegion: opts.serviceRegion,
    instanceRegions: [...new Set(opts.instancesRegion)],
  };
  const customEndpoint = config.cleanup.cloudMapCustomEndpoint;
  const reconciler = new CloudMapReconciler({
    registry: new CloudMapRegistry((r) => loadServiceDiscoveryClient(r, { customEndpoint })),
    fleet: ctx.fleet(),
    log,
  });
  const metrics = opts.enablePrometheus ? new ReconcileMetrics([target.serviceId]) : undefined;
  let server: MetricsServer | undefined;
  if (metrics) {
    try {
      server = await startMetricsServer(metrics, opts.prometheusHost, opts.prometheusPort);
    } catch (err) {
      throw new ValidationError(
        `cannot serve metrics on ${opts.prometheusHost}:${opts.prometheusPort} (${err instanceof Error ? err.message : String(err)}); choose another --prometheus-host/--prometheus-port`,
      );
    }
    log.info('serving metrics', { url: server.url });
  }

  let stopRequested = false;
  let wake: (() => void) | undefined;
  const onSignal = (signal: NodeJS.Signals) => {
    if (!stopRequested) log.info('stopping after the reconcile in progress', { signal });
    stopRequested = true;
    wake?.();
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);

  let last: CloudMapReconcileReport | undefined;
  try {
    while (true) {
      log.info('reconcile started', { ...target, dryRun: opts.dryRun === true });
      last = await reconciler.reconcile(target, { dryRun: opts.dryRun });
      metrics?.observe(last, new Date());
      log.info('reconcile finished', {
        serviceId: last.serviceId,
        ok: last.ok,
        registered: last.registered,
        kept: last.kept,
        skipped: last.skipped.length,
        deregistered: last.deregistered,
        failed: last.failed,
        guardWarning: last.guardWarning,
        error: last.error,
      });
      if (opts.singleRun || stopRequested) break;
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, opts.frequency * 1000);
        wake = () => {
          clearTimeout(timer);
          resolve();
        };
      });
      wake = undefined;
      if (stopRequested) break;
    }
  } finally {
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
    await server?.close();
  }
  // A signal means "stop cleanly": exit 0 once the pass in progress is done.
  if (stopRequested) return true;
  return !opts.singleRun || last?.ok === true;
}
