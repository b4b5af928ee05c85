/**
 * `lightsout report [--since 7d] [--until TIME] [--group G] [--tz ZONE] [--json|--csv]`:
 * the weekly digest for any window, from the run history the bot keeps
 * (the SQLite file, or the DynamoDB table when TABLE_NAME is set). Says on
 * stderr which it reads.
 */
import { existsSync } from 'node:fs';
import type { Command } from 'commander';
import type { Digest } from '../core/digest.js';
import { DAY, parseDuration } from '../core/duration.js';
import { ValidationError } from '../core/errors.js';
import { quoted } from '../core/quote.js';
import { GROUP_PATTERN } from '../core/tagPolicy.js';
import { isValidTimeZone } from '../core/when.js';
import { loadDigest } from '../services/digest/loadDigest.js';
import { type CliCommand, type CliContext, parseAt } from './context.js';
import { digestCsv, digestTable } from './reportFormat.js';

interface ReportOptions {
  since: string;
  until?: string;
  group?: string[];
  tz?: string;
  json?: boolean;
  csv?: boolean;
}

const collect = (value: string, previous: string[] = []) => [
  ...previous,
  ...value.split(',').map((g) => g.trim()),
];

export const reportCommand: CliCommand = {
  register(program: Command, ctx: CliContext) {
    program
      .command('report')
      .description('The digest of cost beyond threshold and stops, from the run history the bot keeps')
      .option(
        '--since <when>',
        'start of the window: a duration back from --until (7d, 36h) or an ISO time',
        '7d',
      )
      .option('--until <time>', 'end of the window: an ISO time, or 18:00 (UTC today); default now')
      .option('--group <group>', 'only this MonitorGroup (repeat, or separate with commas)', collect)
      .option('--tz <zone>', 'time zone of the daily figures, e.g. Europe/Berlin (default DIGEST_TIME_ZONE)')
      .option('--json', 'print the digest as JSON')
      .option('--csv', 'print the digest as CSV, one row per instance, stop and day')
      .addHelpText(
        'after',
        '\nExamples:\n  lightsout report\n  lightsout report --since 30d --group web,db --csv > month.csv\n  lightsout report --since 2026-11-01T00:00:00Z --json\n',
      )
      .action(async (opts: ReportOptions) => {
        const request = parseRequest(opts, ctx);
        const history = openHistory(ctx);
        const digest = await loadDigest(
          { history, store: ctx.existingStore(), ownerTag: ctx.config().monitor.ownerTag },
          request,
        );
        ctx.stdout.write(output(digest, opts));
      });
  },
};

function output(digest: Digest, opts: ReportOptions): string {
  if (opts.json) return `${JSON.stringify(digest, null, 2)}\n`;
  if (opts.csv) return digestCsv(digest);
  return digestTable(digest);
}

function parseRequest(opts: ReportOptions, ctx: CliContext) {
  if (opts.json && opts.csv) throw new ValidationError('Choose one of --json and --csv');
  const until = parseAt(opts.until, new Date());
  const since = parseSince(opts.since, until);
  for (const group of opts.group ?? []) {
    if (!GROUP_PATTERN.test(group)) {
      throw new ValidationError(
        `--group must be lower-case letters and digits, e.g. web; got ${quoted(group)}`,
      );
    }
  }
  const timeZone = opts.tz ?? ctx.config().digest.timeZone;
  if (!isValidTimeZone(timeZone)) {
    throw new ValidationError(
      `--tz must be an IANA time zone such as Europe/Berlin or UTC; got ${quoted(timeZone)}`,
    );
  }
  return { since, until, timeZone, ...(opts.group?.length ? { groups: opts.group } : {}) };
}

function parseSince(value: string, until: Date): Date {
  const back = parseDuration(value, { minSeconds: 60, maxSeconds: 3650 * DAY });
  if (back.ok) return new Date(until.getTime() - back.seconds * 1000);
  const t = Date.parse(value);
  if (/^\d{4}-\d{2}-\d{2}/.test(value.trim()) && !Number.isNaN(t) && t < until.getTime()) return new Date(t);
  throw new ValidationError(
    `--since must be a duration back from --until, such as 7d or 36h, or an ISO time before it such as 2026-11-01T00:00:00Z; got ${quoted(value)}`,
  );
}

/** The history the bot writes, saying which; refuses when there is none rather than report nothing. */
function openHistory(ctx: CliContext) {
  const { tableName, sqlitePath } = ctx.config().store;
  if (!tableName && !existsSync(sqlitePath)) {
    throw new ValidationError(
      `No state file at ${sqlitePath}: the report reads the run history the bot keeps there. ` +
        'Set DB_PATH to the file `lightsout start` uses, or TABLE_NAME for the DynamoDB table.',
    );
  }
  const history = ctx.existingRunHistory();
  if (!history) throw new ValidationError(`No run history at ${sqlitePath}`);
  return history;
}
