/**
 * `lightsout check [--dry-run] [--at TIME]`: one reconcile sweep plus the nags
 * due, against the same store and scheduler the engine uses (DynamoDB and
 * EventBridge Scheduler when TABLE_NAME is set, else the single process's
 * SQLite file). `--dry-run` prints what would happen and changes nothing.
 */
import { existsSync } from 'node:fs';
import type { Command } from 'commander';
import type { Config } from '../config/index.js';
import { count } from '../core/plural.js';
import { formatDayTimeUtc } from '../core/when.js';
import { InProcessNagScheduler } from '../local/inProcessNagScheduler.js';
import { createLogger } from '../log.js';
import type { Clock } from '../ports/clock.js';
import type { DueNagOutcome, ReconcileReport } from '../services/monitor/api.js';
import type { MonitorDeps } from '../services/monitor/context.js';
import { InProcessEventBus } from '../services/monitor/eventBus.js';
import { MonitorService } from '../services/monitor/monitorService.js';
import { openDatabase } from '../sqlite/database.js';
import { SqliteInstanceStore } from '../sqlite/instanceStore.js';
import { SqliteNagScheduleStore } from '../sqlite/nagScheduleStore.js';
import { SqlitePriceCache } from '../sqlite/priceCache.js';
import { awsMonitorDeps } from '../wiring/awsMonitor.js';
import { buildNotifier } from '../wiring/notifiers.js';
import { awsPricer } from '../wiring/pricing.js';
import { type CliCommand, type CliContext, parseAt } from './context.js';

interface CheckOptions {
  dryRun?: boolean;
  at?: string;
}

export const checkCommand: CliCommand = {
  register(program: Command, ctx: CliContext) {
    program
      .command('check')
      .description('Run one reconcile sweep, then the nags that are due')
      .option('--dry-run', 'print what would happen; change nothing')
      .option(
        '--at <time>',
        'evaluate as if it were this time, e.g. 18:00 (UTC today) or 2026-03-02T18:00:00Z',
      )
      .action(async (opts: CheckOptions) => {
        const at = parseAt(opts.at, new Date());
        const config = ctx.config();
        const { deps, close } = await engineDeps(config, () => at, Boolean(opts.dryRun), ctx);
        try {
          const service = new MonitorService(deps);
          const report = await service.reconcile({ dryRun: opts.dryRun });
          const due = await service.runDueNags({ dryRun: opts.dryRun });
          ctx.stdout.write(renderCheck(report, due, at, Boolean(opts.dryRun)));
        } finally {
          close();
        }
      });
  },
};

async function engineDeps(
  config: Config,
  clock: Clock,
  dryRun: boolean,
  ctx: CliContext,
): Promise<{ deps: MonitorDeps; close: () => void }> {
  // The CLI prints its own report; the engine's JSON logs would only interleave with it.
  const log = createLogger('lightsout-cli', 'ERROR');
  if (config.store.tableName) return { deps: awsMonitorDeps(config, log, clock), close: () => {} };
  const file = config.store.sqlitePath;
  const exists = existsSync(file);
  // A dry run must not even create the SQLite file.
  const path = dryRun && !exists ? ':memory:' : file;
  ctx.stderr.write(
    exists
      ? `lightsout: state file ${file}\n`
      : `lightsout: warning: no state file at ${file}; ${dryRun ? 'the dry run starts from an empty store' : 'creating it'}\n`,
  );
  const db = openDatabase(path);
  const bus = new InProcessEventBus(log);
  const deps: MonitorDeps = {
    fleet: ctx.fleet(),
    store: new SqliteInstanceStore(db, { clock }),
    scheduler: new InProcessNagScheduler(new SqliteNagScheduleStore(db), { clock, log }),
    notifier: await buildNotifier({ config, log, bus }),
    events: bus,
    clock,
    settings: config.monitor,
    log,
    sweepObservesStopped: true,
    pricer: awsPricer(new SqlitePriceCache(db), log, { lookups: config.monitor.priceLookups, clock }),
  };
  return { deps, close: () => db.close() };
}

export function renderCheck(
  report: ReconcileReport,
  due: DueNagOutcome[],
  at: Date,
  dryRun: boolean,
): string {
  const out = [
    `${dryRun ? 'Dry run: nothing was changed. ' : ''}Check at ${formatDayTimeUtc(at)}`,
    `Reconcile over ${report.regions.join(', ')}: ${count(report.seen, 'running monitored instance')}, ${count(report.describeCalls, 'DescribeInstances call')}`,
  ];
  if (report.actions.length === 0) out.push('  nothing to repair');
  for (const action of report.actions) out.push(`  ${action}`);
  out.push(`Nags due: ${due.length}`);
  for (const d of due) {
    const verb = dryRun ? `would ${d.action}` : d.action;
    const next = d.nextCheckAt ? `; next check ${formatDayTimeUtc(new Date(d.nextCheckAt))}` : '';
    out.push(`  ${d.instance} (due ${formatDayTimeUtc(new Date(d.dueAt))}): ${verb}: ${d.reason}${next}`);
  }
  return `${out.join('\n')}\n`;
}
