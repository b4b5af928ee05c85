/**
 * `lightsout subscriptions set <group> [--channel <platform>:<id>] --route …`:
 * changes how an existing subscription's nags are routed (who gets them, when
 * the channel joins, who is mentioned, how often a repeat is broadcast), in
 * the store the CLI reads (the single process's SQLite file, or DynamoDB with
 * TABLE_NAME, which is how the AWS runtime is configured). The options and
 * their rules are those of `/ec2 subscribe`.
 */
import type { Command } from 'commander';
import { escalationTargetsFor, parseSubscribeFlags } from '../chat/core/subscribeFlags.js';
import { ValidationError } from '../core/errors.js';
import { describeRouting, plainTarget } from '../core/nagRouting.js';
import { GROUP_PATTERN } from '../core/tagPolicy.js';
import type { CliContext } from './context.js';

interface SetOptions {
  channel?: string;
  route?: string;
  escalateAfter?: string;
  escalateTo?: string;
  broadcastEvery?: string;
}

const EXAMPLES = `
Examples:
  lightsout subscriptions set web --route owner-then-channel --escalate-after 3
  lightsout subscriptions set web --channel slack:C0123ABC --escalate-to @here,S0456DEF --broadcast-every 2
  lightsout subscriptions set web --escalate-to none
`;

export function registerSubscriptionSettings(parent: Command, ctx: CliContext): void {
  parent
    .command('set <group>')
    .description("Change how a group's nags are routed in the channels that follow it (all, or --channel)")
    .option('--channel <platform:id>', 'only this channel, e.g. slack:C0123ABC or teams:19:…@thread.tacv2')
    .option('--route <route>', 'channel, owner or owner-then-channel')
    .option('--escalate-after <n>', 'from this nag on: the channel too (owner-then-channel) and the mention')
    .option(
      '--escalate-to <who>',
      'Slack: @here, S… user groups, U… users; Teams: tag:<id>, Entra object ids; none clears',
    )
    .option('--broadcast-every <n>', 'every Nth repeat is posted to the channel too; 0 never')
    .addHelpText('after', EXAMPLES)
    .action(async (group: string, opts: SetOptions) => {
      if (!GROUP_PATTERN.test(group))
        throw new ValidationError(
          `group "${group.slice(0, 100)}" must be lower-case letters and digits only`,
        );
      const words = [
        ...(opts.route ? ['--route', opts.route] : []),
        ...(opts.escalateAfter ? ['--escalate-after', opts.escalateAfter] : []),
        ...(opts.escalateTo ? ['--escalate-to', opts.escalateTo] : []),
        ...(opts.broadcastEvery ? ['--broadcast-every', opts.broadcastEvery] : []),
      ];
      if (words.length === 0)
        throw new ValidationError(
          'nothing to change: give --route, --escalate-after, --escalate-to or --broadcast-every',
        );
      const parsed = parseSubscribeFlags(words);
      if (!parsed.ok) throw new ValidationError(parsed.error);
      const store = ctx.existingSubscriptions();
      const subs = ((await store?.forGroup(group)) ?? []).filter(
        (s) => !opts.channel || `${s.channel.platform}:${s.channel.channelId}` === opts.channel,
      );
      if (!store || subs.length === 0) {
        throw new ValidationError(
          `no channel follows group ${group}${opts.channel ? ` as ${opts.channel}` : ''}; subscribe one first with /ec2 subscribe ${group} (see lightsout subscriptions)`,
        );
      }
      for (const sub of subs) {
        const cannot =
          parsed.routing.escalateTo && escalationTargetsFor(sub.channel.platform, parsed.routing.escalateTo);
        if (cannot)
          throw new ValidationError(
            `--escalate-to for ${sub.channel.platform}:${sub.channel.channelId}: ${cannot}`,
          );
      }
      for (const sub of subs) {
        await store.configure(group, sub.channel, parsed.routing);
      }
      for (const sub of await store.forGroup(group)) {
        if (
          !subs.some(
            (s) =>
              s.channel.platform === sub.channel.platform && s.channel.channelId === sub.channel.channelId,
          )
        )
          continue;
        ctx.stdout.write(
          `${group} → ${sub.channel.platform}:${sub.channel.channelId}: ${describeRouting(sub, plainTarget)}\n`,
        );
      }
    });
}
