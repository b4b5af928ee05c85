/**
 * `lightsout subscriptions [--broken] [--json]`: which chat channels follow
 * which MonitorGroup; with `--broken`, only channels that refused a nag for
 * good (deleted, archived, app removed or without scope), with the reason.
 */
import type { Command } from 'commander';
import { groupAutoStopText } from '../core/groupAutoStop.js';
import { routingOf } from '../core/nagRouting.js';
import type { Subscription } from '../ports/subscriptionStore.js';
import type { CliCommand, CliContext } from './context.js';
import { registerSubscriptionSettings } from './subscriptionSettings.js';

interface SubscriptionsOptions {
  broken?: boolean;
  json?: boolean;
}

export const subscriptionsCommand: CliCommand = {
  register(program: Command, ctx: CliContext) {
    const subscriptions = program
      .command('subscriptions')
      .description('Chat channels and the groups they follow; --broken: channels that refused nags for good')
      .option('--broken', 'only subscriptions whose channel refused a post for good')
      .option('--json', 'print a JSON array instead of a table')
      .addHelpText('after', '\nExamples:\n  lightsout subscriptions\n  lightsout subscriptions --broken\n')
      .action(async (opts: SubscriptionsOptions) => {
        const store = ctx.existingSubscriptions();
        const all = store ? await store.all() : [];
        const subs = opts.broken ? all.filter((s) => s.broken) : all;
        ctx.stdout.write(
          opts.json ? `${JSON.stringify(subs.map(toJson), null, 2)}\n` : table(subs, !!opts.broken),
        );
      });
    registerSubscriptionSettings(subscriptions, ctx);
  },
};

function toJson(s: Subscription) {
  return {
    group: s.group,
    platform: s.channel.platform,
    channelId: s.channel.channelId,
    createdBy: s.createdBy,
    createdAt: s.createdAt,
    broken: s.broken ?? null,
    // The group's standing consent to stop idle runs (`subscribe <group> --autostop idle:30m`).
    autostop: s.autostop ? groupAutoStopText(s.autostop) : null,
    ...routingOf(s),
  };
}

function table(subs: Subscription[], brokenOnly: boolean): string {
  if (subs.length === 0) return brokenOnly ? 'No broken subscriptions.\n' : 'No subscriptions.\n';
  const header = ['GROUP', 'PLATFORM', 'CHANNEL', 'SINCE', 'ROUTE', 'BROKEN'];
  const rows = subs.map((s) => [
    s.group,
    s.channel.platform,
    s.channel.channelId,
    s.createdAt.slice(0, 10),
    s.route ?? 'channel',
    s.broken ? `${s.broken.reason} (since ${s.broken.since.slice(0, 16)}Z)` : '',
  ]);
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
  const line = (cells: string[]) =>
    `${cells
      .map((c, i) => c.padEnd(widths[i]!))
      .join('  ')
      .trimEnd()}\n`;
  return line(header) + rows.map(line).join('');
}
