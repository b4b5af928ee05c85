/**
 * `lightsout deliveries [--failed] [--json]`: domain events (stopped,
 * terminated, cleaned up) the outbox has not delivered yet, oldest first;
 * with `--failed`, the ones whose retries ran out and need a look.
 */
import type { Command } from 'commander';
import { type OutboxEntry, outboxSummary } from '../core/outbox.js';
import type { CliCommand, CliContext } from './context.js';

interface DeliveriesOptions {
  failed?: boolean;
  json?: boolean;
}

export const deliveriesCommand: CliCommand = {
  register(program: Command, ctx: CliContext) {
    program
      .command('deliveries')
      .description('Events not yet delivered to chat and cleanup (the outbox), oldest first')
      .option('--failed', 'only deliveries that failed for good (retries exhausted)')
      .option('--json', 'print a JSON array instead of a table')
      .addHelpText('after', '\nExamples:\n  lightsout deliveries\n  lightsout deliveries --failed --json\n')
      .action(async (opts: DeliveriesOptions) => {
        const outbox = ctx.existingOutbox();
        if (!outbox) {
          ctx.stdout.write(
            opts.json ? '[]\n' : 'No state store found (TABLE_NAME or DB_PATH): nothing to list.\n',
          );
          return;
        }
        const entries = opts.failed
          ? await outbox.failed()
          : [...(await outbox.pending()), ...(await outbox.failed())];
        ctx.stdout.write(
          opts.json ? `${JSON.stringify(entries.map(toJson), null, 2)}\n` : table(entries, !!opts.failed),
        );
      });
  },
};

function toJson(entry: OutboxEntry) {
  return {
    ...outboxSummary(entry),
    status: entry.status,
    nextAttemptAt: entry.nextAttemptAt,
    lastError: entry.lastError ?? null,
  };
}

function table(entries: OutboxEntry[], failedOnly: boolean): string {
  if (entries.length === 0) return failedOnly ? 'No failed deliveries.\n' : 'Nothing waiting for delivery.\n';
  const header = ['CREATED', 'EVENT', 'INSTANCE', 'STATUS', 'ATTEMPTS', 'LAST ERROR'];
  const rows = entries.map((e) => {
    const s = outboxSummary(e);
    return [s.createdAt, s.type, s.instance, e.status, String(s.attempts), s.lastError ?? ''];
  });
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
  const line = (cells: string[]) =>
    `${cells
      .map((c, i) => c.padEnd(widths[i]!))
      .join('  ')
      .trimEnd()}\n`;
  const hint = failedOnly
    ? ''
    : '\nFailed ones stay until removed; `lightsout deliveries --failed` lists only those.\n';
  return line(header) + rows.map(line).join('') + hint;
}
