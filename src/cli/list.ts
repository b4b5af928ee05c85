/**
 * `lightsout list [--group G] [--over] [--at TIME] [--json]`: runtimes of
 * monitored running instances, live from EC2 over REGIONS, longest first.
 */

import type { Command } from 'commander';
import { formatDuration } from '../core/duration.js';
import { ValidationError } from '../core/errors.js';
import { count } from '../core/plural.js';
import { costFigures, formatCost } from '../core/price.js';
import { quoted } from '../core/quote.js';
import type { RuntimeRow } from '../core/runtimeReport.js';
import { GROUP_PATTERN } from '../core/tagPolicy.js';
import { formatWhenIn } from '../core/when.js';
import { listRuntimes } from '../services/monitor/runtimes.js';
import { type CliCommand, type CliContext, parseAt } from './context.js';

interface ListOptions {
  group?: string;
  over?: boolean;
  at?: string;
  json?: boolean;
}

export const listCommand: CliCommand = {
  register(program: Command, ctx: CliContext) {
    program
      .command('list')
      .description('Runtimes of monitored running instances, longest first (live from EC2)')
      .option('--group <group>', 'only this MonitorGroup')
      .option('--over', 'only instances over their threshold')
      .option('--at <time>', 'runtimes as of this time, e.g. 18:00 (UTC today) or 2026-03-02T18:00:00Z')
      .option('--json', 'print a JSON array instead of a table')
      .addHelpText(
        'after',
        '\nExamples:\n  lightsout list\n  lightsout list --over --at 18:00     # who will be over by 18:00?\n  lightsout list --group web --json\n',
      )
      .action(async (opts: ListOptions) => {
        if (opts.group !== undefined && !GROUP_PATTERN.test(opts.group)) {
          throw new ValidationError(
            `--group must be lower-case letters and digits, e.g. web; got ${quoted(String(opts.group))}`,
          );
        }
        const now = new Date();
        const at = parseAt(opts.at, now);
        const config = ctx.config();
        const rows = await listRuntimes(
          { fleet: ctx.fleet(), store: ctx.existingStore(), settings: config.monitor },
          { at, group: opts.group, overOnly: opts.over },
        );
        ctx.stdout.write(
          opts.json ? `${JSON.stringify(rows.map(toJson), null, 2)}\n` : renderTable(rows, at, now),
        );
      });
  },
};

function toJson(row: RuntimeRow) {
  return {
    instanceId: row.instanceId,
    name: row.name ?? null,
    region: row.region,
    group: row.group,
    state: row.state,
    instanceType: row.instanceType ?? null,
    launchTime: row.launchTime,
    runtimeSeconds: row.runtimeSeconds,
    thresholdSeconds: row.thresholdSeconds,
    over: row.over,
    snoozedUntil: row.snoozedUntil ?? null,
    nagCount: row.nagCount,
    undelivered: row.undelivered,
    undeliveredReason: row.undeliveredReason ?? null,
    warnings: row.warnings,
    // Absent figures mean the price is unknown: null, never 0.
    hourlyUsd: row.price?.hourlyUsd ?? null,
    costSoFarUsd: costFigures(row.price, row.runtimeSeconds)?.costSoFarUsd ?? null,
    priceSource: row.price?.source ?? null,
  };
}

/** A plain-text table; `!` marks over-threshold rows, warnings follow their row. */
export function renderTable(rows: RuntimeRow[], at: Date, now: Date): string {
  const when = Math.abs(at.getTime() - now.getTime()) < 1000 ? 'now' : `at ${formatWhenIn(at, now)}`;
  if (rows.length === 0) return `No monitored running instances ${when === 'now' ? 'right now' : when}.\n`;
  const over = rows.filter((r) => r.over).length;
  const header = ['', 'INSTANCE', 'NAME', 'REGION', 'GROUP', 'RUNTIME', 'THRESHOLD', 'COST', 'STATUS'];
  const body = rows.map((r) => [
    r.over ? '!' : ' ',
    r.instanceId,
    r.name ?? '-',
    r.region,
    r.group,
    formatDuration(r.runtimeSeconds),
    formatDuration(r.thresholdSeconds),
    formatCost(r.price, r.runtimeSeconds),
    status(r, now),
  ]);
  const widths = header.map((h, i) => Math.max(h.length, ...body.map((b) => b[i]!.length)));
  const line = (cells: string[]) =>
    cells
      .map((c, i) => c.padEnd(widths[i]!))
      .join('  ')
      .trimEnd();
  const out = [`Runtimes ${when}: ${count(rows.length, 'instance')}, ${over} over threshold`, line(header)];
  rows.forEach((r, i) => {
    out.push(line(body[i]!));
    for (const w of r.warnings) out.push(`${' '.repeat(widths[0]! + 4)}warning: ${w}`);
  });
  return `${out.join('\n')}\n`;
}

function status(r: RuntimeRow, now: Date): string {
  const parts = [r.over ? 'OVER' : 'ok'];
  if (r.snoozedUntil) parts.push(`snoozed until ${formatWhenIn(new Date(r.snoozedUntil), now)}`);
  if (r.nagCount) parts.push(count(r.nagCount, 'nag'));
  if (r.undelivered) parts.push(`undelivered${r.undeliveredReason ? ` (${r.undeliveredReason})` : ''}`);
  return parts.join(', ');
}
