import type { InstanceRecord } from '../../core/instance.js';
import { offerConsents } from '../../core/message/consentMessage.js';
import { instanceLabel, nagMessageFromRecord } from '../../core/message/nagMessage.js';
import { describeRouting, type NagRouting, plainTarget, routingOf } from '../../core/nagRouting.js';
import { DEFAULT_OWNER_TAG, ownedBy, ownerFromTags } from '../../core/owner.js';
import { formatCost } from '../../core/price.js';
import { quoted } from '../../core/quote.js';
import { buildStoredRunReport } from '../../core/runtimeReport.js';
import { hibernationNotConfiguredReason, stopProtectedReason } from '../../core/stopRefusal.js';
import { formatWhenIn, isValidTimeZone } from '../../core/when.js';
import type { Clock } from '../../ports/clock.js';
import type { IdleEvidenceLookup } from '../../ports/instanceMetrics.js';
import type { InstanceStore } from '../../ports/instanceStore.js';
import type { SubscriptionStore } from '../../ports/subscriptionStore.js';
import type { IdleStopCommands } from '../../services/consent/idleStopCheck.js';
import { authorizeAct } from './actAuthorization.js';
import type { ActionPipeline, ActionResult } from './actionPipeline.js';
import type { Authorizer } from './authorizer.js';
import type { CommandContext } from './commandContext.js';
import type { CommandExtension } from './commandExtension.js';
import { type ChatCommand, isRepeatable, type ListScope, parseCommand, USAGE } from './commands.js';
import { ConsentCommands } from './consentCommands.js';
import { type ChatReply, refusal, textReply } from './replies.js';
import { escalationTargetsFor } from './subscribeFlags.js';
import { nextWallTime } from './zonedTime.js';

export interface CommandServiceDeps {
  instances: InstanceStore;
  subscriptions: SubscriptionStore;
  authorizer: Authorizer;
  actions: ActionPipeline;
  clock: Clock;
  extensions?: CommandExtension[];
  /** Reads the idle evidence `status` shows; absent: no evidence line. */
  idleEvidence?: IdleEvidenceLookup;
  /** `stop … --when-idle`; absent where no idle check runs. */
  idleStops?: IdleStopCommands;
  /** How the platform spells the command in usage lines (`/ec2`). */
  prefix?: string;
  /** OWNER_TAG: which tag `mine` reads. */
  ownerTag?: string;
}

/** `; owner-then-channel, escalate after 3, …` for a subscription with routing settings; empty for the default. */
function routed(s: NagRouting): string {
  return Object.keys(routingOf(s)).length ? `; ${describeRouting(s, plainTarget)}` : '';
}

/** `mine` shows this many instances with their buttons (chat messages have size limits). */
export const MAX_MINE = 8;

const LIVE_STATES = ['pending', 'running'] as const;

export class CommandService {
  /** `stop … --at/--in/--when-idle/--cancel`. */
  private readonly consents: ConsentCommands;

  constructor(private readonly deps: CommandServiceDeps) {
    this.consents = new ConsentCommands({
      actions: deps.actions,
      idleStops: deps.idleStops,
      clock: deps.clock,
      resolve: (target) => this.resolve(target),
    });
  }

  /** Parses and runs `text` (everything after `/ec2`). Never throws for bad input. */
  async handleText(text: string, ctx: CommandContext): Promise<ChatReply> {
    const parsed = parseCommand(text, { prefix: this.deps.prefix, extensions: this.deps.extensions });
    if (!parsed.ok) return { kind: 'error', visibility: 'private', error: parsed.error, usage: parsed.usage };
    return this.execute(parsed.command, ctx);
  }

  /** Whether `text` may be run a second time after an abandoned first try (see `isRepeatable`). */
  repeatable(text: string): boolean {
    const parsed = parseCommand(text, { prefix: this.deps.prefix, extensions: this.deps.extensions });
    return !parsed.ok || isRepeatable(parsed.command);
  }

  async execute(cmd: ChatCommand, ctx: CommandContext): Promise<ChatReply> {
    switch (cmd.kind) {
      case 'help':
        return this.help();
      case 'list':
        return this.list(cmd.scope, cmd.overOnly, cmd.public, ctx);
      case 'status':
        return this.showInstance('status', cmd.target, ctx);
      case 'stop':
        if (cmd.cancel) return this.consents.cancelStop(cmd.target, ctx);
        if (cmd.whenIdle) return this.consents.stopWhenIdle(cmd.target, cmd.whenIdle.forSeconds, ctx);
        if (cmd.stopAt) return this.consents.stopLater(cmd.target, cmd.stopAt, ctx);
        return this.showInstance('stop', cmd.target, ctx, cmd.hibernate === true);
      case 'snooze':
      case 'extend':
        return this.snoozeOrExtend(cmd, ctx);
      case 'subscribe':
        return this.changeSubscription('subscribe', cmd.group, ctx, cmd.routing);
      case 'unsubscribe':
        return this.changeSubscription('unsubscribe', cmd.group, ctx);
      case 'mine':
        return this.mine(ctx);
      case 'subscriptions': {
        const subs = await this.deps.subscriptions.forChannel(ctx.channel);
        // Channels that refused a post for good cannot be asked themselves: list them everywhere.
        const elsewhere = (await this.deps.subscriptions.all()).filter(
          (s) =>
            s.broken &&
            !(s.channel.platform === ctx.channel.platform && s.channel.channelId === ctx.channel.channelId),
        );
        const brokenLines = elsewhere.map(
          (s) =>
            `⚠️ \`${s.group}\` → ${s.channel.platform}:${s.channel.channelId} is broken: ${s.broken!.reason} (since ${s.broken!.since.slice(0, 10)})`,
        );
        if (subs.length === 0)
          return textReply([
            'This channel follows no groups. Add one with `subscribe <group>`.',
            ...brokenLines,
          ]);
        return textReply(
          [
            ...subs.map(
              (s) =>
                `\`${s.group}\` (since ${s.createdAt.slice(0, 10)}${routed(s)})${s.broken ? ` ⚠️ broken: ${s.broken.reason} since ${s.broken.since.slice(0, 10)}` : ''}`,
            ),
            ...brokenLines,
          ],
          'This channel follows',
        );
      }
      case 'extension':
        return cmd.extension.run(cmd.args, { ...ctx, prefix: ctx.prefix ?? this.deps.prefix });
    }
  }

  private help(): ChatReply {
    const prefix = this.deps.prefix ?? '/ec2';
    const lines = [
      ...Object.values(USAGE).map((u) => `${prefix} ${u}`),
      ...(this.deps.extensions ?? []).flatMap((e) => e.help.map((h) => `${prefix} ${h}`)),
    ];
    return textReply(lines, 'Lights Out commands');
  }

  private async list(
    scope: ListScope,
    overOnly: boolean,
    isPublic: boolean,
    ctx: CommandContext,
  ): Promise<ChatReply> {
    const now = this.deps.clock();
    let groups: string[] | undefined;
    let title: string;
    if (scope.kind === 'group') {
      groups = [scope.group];
      title = `Instances in group ${scope.group}`;
    } else if (scope.kind === 'all') {
      title = 'All monitored instances';
    } else {
      const subs = await this.deps.subscriptions.forChannel(ctx.channel);
      groups = subs.length ? subs.map((s) => s.group) : undefined;
      title = groups
        ? `Instances in ${groups.join(', ')}`
        : 'All monitored instances (this channel follows no groups)';
    }
    const records = groups
      ? (
          await Promise.all(
            groups.map((group) => this.deps.instances.list({ group, states: [...LIVE_STATES] })),
          )
        ).flat()
      : await this.deps.instances.list({ states: [...LIVE_STATES] });
    const rows = buildStoredRunReport(records, now, { overOnly });
    return {
      kind: 'instances',
      visibility: isPublic ? 'channel' : 'private',
      title: overOnly ? `${title}, over threshold` : title,
      rows,
      empty: overOnly ? 'Nothing is over its threshold.' : 'No running monitored instances.',
    };
  }

  private async showInstance(
    kind: 'status' | 'stop',
    target: string,
    ctx: CommandContext,
    hibernate = false,
  ): Promise<ChatReply> {
    const found = await this.resolve(target);
    if ('reply' in found) return found.reply;
    const record = found.record;
    const now = this.deps.clock();
    const message = nagMessageFromRecord(record, now);
    if (kind === 'status') {
      const live = record.state === 'running' || record.state === 'pending';
      // The reply is private, so times are shown in the asker's own zone.
      const zone = await ctx.actor.timeZone?.().catch(() => undefined);
      const when = (iso: string) => formatWhenIn(new Date(iso), now, zone);
      const notes = [
        `State: ${record.state}`,
        record.snoozedUntil && Date.parse(record.snoozedUntil) > now.getTime()
          ? `Snoozed until ${when(record.snoozedUntil)}`
          : '',
        record.nextNagAt ? `Next nag: ${when(record.nextNagAt)}` : '',
      ].filter(Boolean);
      if (!live) message.actions = { stop: false, snooze: false, extend: false };
      else {
        Object.assign(message, offerConsents(message, this.deps.actions.offers));
        const idle = await this.deps.idleEvidence?.evidence(record).catch(() => undefined);
        if (idle) message.facts.idle = idle;
      }
      return { kind: 'instance', visibility: 'private', intro: notes.join(' · '), message };
    }
    if (record.state !== 'running' && record.state !== 'pending') {
      return refusal(`${instanceLabel(record)} is ${record.state}; there is nothing to stop.`);
    }
    const allowed = await authorizeAct(
      this.deps.authorizer,
      ctx,
      record.group,
      'stop',
      record,
      this.deps.ownerTag,
    );
    if (!allowed.ok) return refusal(allowed.reason);
    // What EC2 would refuse is refused here, privately, with why (protection as last read before a nag).
    if (record.stopProtected) return refusal(stopProtectedReason(record, instanceLabel(record)));
    if (hibernate && !record.hibernationConfigured) {
      return refusal(hibernationNotConfiguredReason(instanceLabel(record)));
    }
    message.actions = hibernate
      ? { stop: false, snooze: false, extend: false, hibernate: true }
      : { stop: true, snooze: false, extend: false };
    return {
      kind: 'instance',
      visibility: 'private',
      intro: hibernate
        ? `Hibernate ${instanceLabel(record)}? Press Hibernate to confirm.`
        : `Stop ${instanceLabel(record)}? Press Stop to confirm.`,
      message,
    };
  }

  private async snoozeOrExtend(
    cmd: Extract<ChatCommand, { kind: 'snooze' | 'extend' }>,
    ctx: CommandContext,
  ): Promise<ChatReply> {
    const found = await this.resolve(cmd.target);
    if ('reply' in found) return found.reply;
    const r = found.record;
    const target = { region: r.region, instanceId: r.instanceId, launchTime: r.launchTime, group: r.group };
    let result: ActionResult;
    if (cmd.kind === 'extend') {
      result = await this.deps.actions.handle({ action: 'extend', target, extendSeconds: cmd.seconds, ctx });
    } else {
      const now = this.deps.clock();
      const tz = await ctx.actor.timeZone?.();
      const until =
        cmd.spec.kind === 'for'
          ? new Date(now.getTime() + cmd.spec.seconds * 1000)
          : nextWallTime(now, cmd.spec.hour, cmd.spec.minute, isValidTimeZone(tz) ? tz : 'UTC');
      result = await this.deps.actions.handle({ action: 'snooze', target, snoozeUntil: until, ctx });
    }
    return result.status === 'done' ? textReply([result.notice]) : refusal(result.notice);
  }

  private async changeSubscription(
    kind: 'subscribe' | 'unsubscribe',
    group: string,
    ctx: CommandContext,
    routing: NagRouting = {},
  ): Promise<ChatReply> {
    const cannot = routing.escalateTo && escalationTargetsFor(ctx.channel.platform, routing.escalateTo);
    if (cannot) {
      return {
        kind: 'error',
        visibility: 'private',
        error: `--escalate-to: ${cannot}`,
        usage: [`${this.deps.prefix ?? '/ec2'} ${USAGE.subscribe}`],
      };
    }
    const allowed = await this.deps.authorizer.mayManageSubscriptions(ctx.actor);
    if (!allowed.ok) return refusal(allowed.reason);
    if (kind === 'subscribe') {
      await this.deps.subscriptions.subscribe({
        group,
        channel: ctx.channel,
        createdBy: `${ctx.actor.platform}:${ctx.actor.id}`,
        createdAt: this.deps.clock().toISOString(),
        ...routing,
      });
      const stored = (await this.deps.subscriptions.forChannel(ctx.channel)).find((s) => s.group === group);
      const how = routed(stored ?? routing);
      return textReply(
        [`This channel now receives nags for group \`${group}\`${how ? ` (${how.slice(2)})` : ''}.`],
        undefined,
        'channel',
      );
    }
    const removed = await this.deps.subscriptions.unsubscribe(group, ctx.channel);
    return removed
      ? textReply([`This channel no longer receives nags for group \`${group}\`.`], undefined, 'channel')
      : refusal(`This channel was not subscribed to \`${group}\`; nothing changed. See \`subscriptions\`.`);
  }

  /**
   * The caller's running instances by Owner tag: their chat user id, or the
   * email (Slack profile; Teams email or UPN) their platform reports.
   */
  private async mine(ctx: CommandContext): Promise<ChatReply> {
    const now = this.deps.clock();
    const tag = this.deps.ownerTag ?? DEFAULT_OWNER_TAG;
    const all = await this.deps.instances.list({ states: [...LIVE_STATES] });
    const owned = all.map((r) => ({ r, owner: ownerFromTags(r.tags, tag).owner })).filter((x) => x.owner);
    const byId = { userIds: [ctx.actor.id], emails: [] };
    const needsEmail = owned.some((x) => !ownedBy(x.owner!, byId) && x.owner!.value.includes('@'));
    const emails = needsEmail ? ((await ctx.actor.emails?.().catch(() => [])) ?? []) : [];
    const matching = owned.filter((x) => ownedBy(x.owner!, { userIds: [ctx.actor.id], emails }));
    const mine = matching
      .map((x) => ({
        message: offerConsents(nagMessageFromRecord(x.r, now), this.deps.actions.offers),
        price: x.r.price,
      }))
      .sort((a, b) => b.message.facts.runtimeSeconds - a.message.facts.runtimeSeconds)
      .slice(0, MAX_MINE);
    const how =
      ctx.actor.platform === 'slack'
        ? `your email or your Slack user id (${ctx.actor.id})`
        : 'your email or UPN (teams:<UPN>)';
    return {
      kind: 'owned',
      visibility: 'private',
      title: `Your running instances (${tag} tag)`,
      messages: mine.map((m) => m.message),
      // The run's cost when its price is known ("$4.10/h · $53 so far"); nothing rather than "$0".
      intros: mine.map((m) => (m.price ? formatCost(m.price, m.message.facts.runtimeSeconds) : '')),
      more: Math.max(0, matching.length - MAX_MINE),
      empty: `No running instance has an ${tag} tag naming you. Tag yours ${tag}=<${how}> and they show here; a group can then send its nags to you (\`subscribe <group> --route owner\`).`,
    };
  }

  /** Finds the running instance by id or Name tag; ambiguity and misses become replies. */
  private async resolve(target: string): Promise<{ record: InstanceRecord } | { reply: ChatReply }> {
    const all = await this.deps.instances.list();
    const needle = target.toLowerCase();
    const byId = all.filter((r) => r.instanceId === needle);
    const matches = byId.length ? byId : all.filter((r) => r.name?.toLowerCase() === needle);
    const live = matches.filter((r) => r.state === 'running' || r.state === 'pending');
    const pick = live.length ? live : matches;
    if (pick.length === 1) return { record: pick[0]! };
    if (pick.length === 0) {
      return {
        reply: refusal(
          `No monitored instance has the id or Name ${quoted(target)}. \`list all\` shows the ones Lights Out watches.`,
        ),
      };
    }
    const ids = pick.map((r) => `${r.instanceId} (${r.region})`).join(', ');
    return {
      reply: refusal(`${quoted(target)} matches ${pick.length} instances: ${ids}. Use the instance id.`),
    };
  }
}
