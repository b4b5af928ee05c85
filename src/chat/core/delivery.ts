/**
 * Turns engine output into chat posts on every platform: a NagNotification
 * becomes a message in every channel subscribed to the group (or the
 * fallback channel, or an "undelivered" mark on the record); domain events
 * rewrite the run's messages. Each (delivery, channel) pair is claimed once in
 * the idempotency store, so an SNS redelivery or a retry after a partial
 * failure never posts twice. Channels are served concurrently, each with its
 * own timeout. A channel failing for now makes the call throw, so the caller
 * (SNS, the in-process notifier) retries; a channel that refuses for good
 * (deleted, archived, app removed: see deliveryErrors.ts) is flagged instead,
 * reported once to the fallback channel, and not retried.
 */

import { type CleanupHook, cleanupSummary } from '../../core/cleanup/cleanupReport.js';
import { ConflictError, NotFoundError } from '../../core/errors.js';
import type { DomainEvent, InstanceCleanedUpEvent, StopConsentEvent } from '../../core/events.js';
import {
  type ChatMessageRef,
  type ChatPlatform,
  type InstanceRecord,
  runtimeSeconds,
} from '../../core/instance.js';
import {
  consentWarning,
  consentWarningText,
  type NagMessage,
  type NagOutcome,
  nagMessageFromNotification,
  nagMessageFromRecord,
  offerConsents,
  repeatNagText,
  stoppedOutcome,
} from '../../core/message/nagMessage.js';
import { sameLaunch } from '../../core/message/runToken.js';
import { type EscalationTarget, type NagRouting, routeNag, routingOf } from '../../core/nagRouting.js';
import type { NagNotification } from '../../core/notification.js';
import type { ChatGateway } from '../../ports/chat.js';
import type { OwnerLookup } from '../../ports/ownerDirectory.js';
import type { ChannelRef } from '../../ports/subscriptionStore.js';
import type { RunMessages } from './actionPipeline.js';
import { classifyChatFailure, withChannelTimeout } from './deliveryErrors.js';
import { type BrokenChannelDeps, markUndelivered, reportBrokenChannel } from './deliveryMarks.js';
import { type ChatDeliveryDeps, DeliveryError, type NagDeliveryReport, nagPostKey } from './deliveryTypes.js';

export {
  type ChatDeliveryDeps,
  DeliveryError,
  type NagDeliveryReport,
  nagPostKey,
  type RepeatNagMode,
} from './deliveryTypes.js';

type ChannelOutcome =
  | { kind: 'posted'; ref: ChatMessageRef }
  | { kind: 'updated'; ref: ChatMessageRef }
  | { kind: 'skipped'; claimKey: string }
  | { kind: 'broken'; reason: string }
  | { kind: 'failed'; error: unknown };

/** One place a nag goes: a subscribed channel or the owner's direct conversation, and how loud. */
interface NagTarget {
  channel: ChannelRef;
  /** The owner's DM / 1:1 chat rather than a channel. */
  direct: boolean;
  broadcast: boolean;
  mention: EscalationTarget[];
}

export class ChatDelivery implements RunMessages {
  private readonly gateways: Map<ChatPlatform, ChatGateway>;
  private readonly channelTimeoutSeconds: number;
  private readonly marks: BrokenChannelDeps;

  constructor(private readonly deps: ChatDeliveryDeps) {
    this.gateways = new Map(deps.gateways.map((g) => [g.platform, g]));
    this.channelTimeoutSeconds = deps.channelTimeoutSeconds ?? 15;
    this.marks = { ...deps, gateways: this.gateways, channelTimeoutSeconds: this.channelTimeoutSeconds };
  }

  /** Default dedup key when no transport id exists (single process): one per due nag. */
  static nagKey(n: NagNotification): string {
    return `nag#${n.region}/${n.instanceId}@${n.dueAt}`;
  }

  async deliverNag(n: NagNotification, deliveryId = ChatDelivery.nagKey(n)): Promise<NagDeliveryReport> {
    const now = this.deps.clock();
    const report: NagDeliveryReport = { posted: [], updated: [], skipped: [], undelivered: false };
    const followers = await this.followersOf(n.group);
    const key = { region: n.region, instanceId: n.instanceId };
    if (followers.length === 0) {
      this.deps.log.warn('nag reached no chat channel', { instanceId: n.instanceId, group: n.group });
      await markUndelivered(this.deps, key, n.launchTime, 'no channel follows this group');
      return { ...report, undelivered: true };
    }
    const routed = await this.targetsOf(n, followers);
    const targets = routed.targets;
    let ownerWarning = routed.ownerWarning;
    const record = await this.deps.instances.get(key);
    const sameRun = record && sameLaunch(record.launchTime, n.launchTime) ? record : undefined;
    const refs = sameRun?.chatRefs ?? [];
    const message = offerConsents(nagMessageFromNotification(n), this.deps.offers);
    if (ownerWarning) message.facts.warnings.push(ownerWarning);
    // Channels are independent: each goes at once, with its own timeout, so a slow or
    // broken channel never holds up another group's (or this group's other) channels.
    const send = (list: NagTarget[]) =>
      Promise.all(
        list.map((target) =>
          this.nagOneChannel(target, `${deliveryId}#${target.channel.platform}:${target.channel.channelId}`, {
            n,
            key,
            refs,
            message,
            now,
          }),
        ),
      );
    const outcomes = await send(targets);
    // The owner's DM refused for good (the person left, DMs with apps turned off): this nag goes to
    // the platform's channels after all, the instance says why, and the owner is looked up afresh next time.
    const refusedDms = targets.filter((t, i) => t.direct && outcomes[i]!.kind === 'broken');
    if (refusedDms.length && n.owner) {
      const platforms = new Set(refusedDms.map((t) => t.channel.platform));
      const instead = followers
        .filter((f) => platforms.has(f.channel.platform))
        .filter((f) => !targets.some((t) => !t.direct && t.channel.channelId === f.channel.channelId))
        .map((f): NagTarget => {
          const decision = routeNag(f.routing, n.nagCount, false);
          return {
            channel: f.channel,
            direct: false,
            broadcast: decision.broadcast,
            mention: decision.mention,
          };
        });
      for (const t of refusedDms) {
        this.deps.owners?.forget(t.channel.platform, n.owner);
        const o = outcomes[targets.indexOf(t)] as { reason: string };
        const why = `Owner ${JSON.stringify(n.owner.value)} could not be sent a direct message (${o.reason})`;
        ownerWarning = ownerWarning ? `${ownerWarning}; ${why}` : why;
        message.facts.warnings.push(why);
      }
      targets.push(...instead);
      outcomes.push(...(await send(instead)));
    }
    const failures: { channel: string; error: unknown }[] = [];
    const broken: { channel: ChannelRef; reason: string }[] = [];
    let reached = false;
    outcomes.forEach((o, i) => {
      const target = targets[i]!;
      const channel = target.channel;
      if (o.kind === 'posted') report.posted.push(o.ref);
      else if (o.kind === 'updated') report.updated.push(o.ref);
      else if (o.kind === 'skipped') report.skipped.push(o.claimKey);
      // A DM the platform refuses is not a broken subscription: the owner warning says it.
      else if (o.kind === 'broken' && !target.direct) broken.push({ channel, reason: o.reason });
      else if (o.kind === 'failed')
        failures.push({ channel: `${channel.platform}:${channel.channelId}`, error: o.error });
      if (o.kind === 'posted' || o.kind === 'updated' || o.kind === 'skipped') reached = true;
    });
    for (const b of broken) await reportBrokenChannel(this.marks, b.channel, b.reason, n.group, now);
    // A channel flagged broken that took this nag works again: clear its flag.
    for (const f of followers.filter((f) => f.broken)) {
      const i = targets.findIndex(
        (t) =>
          !t.direct &&
          t.channel.platform === f.channel.platform &&
          t.channel.channelId === f.channel.channelId,
      );
      const kind = i >= 0 ? outcomes[i]!.kind : undefined;
      if (kind === 'posted' || kind === 'updated') {
        await this.deps.subscriptions.markBroken?.(f.channel, undefined).catch(() => undefined);
      }
    }
    if (sameRun && (sameRun.ownerWarning ?? undefined) !== ownerWarning) {
      await this.setOwnerWarning(key, n.launchTime, ownerWarning);
    }
    if (failures.length) throw new DeliveryError(failures);
    if (!reached && outcomes.some((o) => o.kind === 'broken')) {
      // Every channel refused for good: the nag counts as sent (no retries), marked undelivered with why.
      const reason = outcomes
        .map((o, i) =>
          o.kind === 'broken'
            ? `${targets[i]!.channel.platform}:${targets[i]!.channel.channelId} ${o.reason}`
            : '',
        )
        .filter(Boolean)
        .join('; ');
      await markUndelivered(this.deps, key, n.launchTime, reason);
      return { ...report, undelivered: true };
    }
    if (record?.undelivered) await markUndelivered(this.deps, key, n.launchTime, undefined);
    return report;
  }

  /**
   * Where this nag goes: each following channel's route (core/nagRouting.ts)
   * decides between the channel, the owner's DM on that platform, or both, and
   * how loud. The owner is looked up once per platform (and remembered, see
   * OwnerReach); an owner who cannot be reached leaves the nag to the channel,
   * and a failed lookup becomes the owner warning.
   */
  private async targetsOf(
    n: NagNotification,
    followers: { channel: ChannelRef; routing: NagRouting }[],
  ): Promise<{ targets: NagTarget[]; ownerWarning?: string }> {
    const owners = this.deps.owners;
    const wantsOwner = [
      ...new Set(
        followers.filter((f) => (f.routing.route ?? 'channel') !== 'channel').map((f) => f.channel.platform),
      ),
    ];
    const direct = new Map<ChatPlatform, ChannelRef>();
    const warnings: string[] = [];
    if (n.owner && owners) {
      await Promise.all(
        wantsOwner.map(async (platform) => {
          // A lookup that hangs must not hold the channel's nag: bounded like a channel, then the channel.
          const found = await withChannelTimeout(`${platform}:owner`, this.channelTimeoutSeconds, () =>
            owners.lookup(platform, n.owner!),
          ).catch(
            (err: unknown): OwnerLookup => ({
              kind: 'failed',
              reason: `Owner ${JSON.stringify(n.owner!.value)} could not be looked up in time (${String(err)})`,
              lasting: false,
            }),
          );
          if (found.kind === 'found') direct.set(platform, found.channel);
          else if (found.kind === 'failed') warnings.push(found.reason);
        }),
      );
    }
    const targets: NagTarget[] = [];
    const toOwner = new Set<ChatPlatform>();
    for (const f of followers) {
      const decision = routeNag(f.routing, n.nagCount, direct.has(f.channel.platform));
      this.deps.log.debug('nag routed', {
        instanceId: n.instanceId,
        channel: `${f.channel.platform}:${f.channel.channelId}`,
        reason: decision.reason,
      });
      if (decision.owner) toOwner.add(f.channel.platform);
      if (decision.channel)
        targets.push({
          channel: f.channel,
          direct: false,
          broadcast: decision.broadcast,
          mention: decision.mention,
        });
    }
    for (const platform of toOwner) {
      targets.push({ channel: direct.get(platform)!, direct: true, broadcast: false, mention: [] });
    }
    return { targets, ownerWarning: warnings.length ? warnings.sort().join('; ') : undefined };
  }

  /** One channel of one nag: claimed once, bounded by the channel timeout, failures classified. */
  private async nagOneChannel(
    target: NagTarget,
    claimKey: string,
    ctx: {
      n: NagNotification;
      key: { region: string; instanceId: string };
      refs: ChatMessageRef[];
      message: NagMessage;
      now: Date;
    },
  ): Promise<ChannelOutcome> {
    const channel = target.channel;
    const gateway = this.gateways.get(channel.platform)!;
    if (!(await this.deps.ledger.firstTime(claimKey, ctx.now))) return { kind: 'skipped', claimKey };
    const at = `${channel.platform}:${channel.channelId}`;
    // The same post whatever delivery carries it (SNS message, outbox entry, due nag).
    const unsureKey = `${at}#${nagPostKey(ctx.n)}`;
    try {
      const outcome = await withChannelTimeout(at, this.channelTimeoutSeconds, async () => {
        const existing = ctx.refs.find(
          (r) => r.platform === channel.platform && r.channelId === channel.channelId,
        );
        const updatedInPlace =
          existing &&
          this.deps.repeatMode === 'update' &&
          (await this.updateIfStillThere(gateway, existing, ctx.message));
        if (updatedInPlace) {
          await gateway.replyInThread(existing, repeatNagText(ctx.message.facts), {
            broadcast: target.broadcast,
            mention: target.mention,
          });
          return { kind: 'updated' as const, ref: existing };
        }
        const message = target.mention.length ? { ...ctx.message, mention: target.mention } : ctx.message;
        const lookFirst = await this.deps.ledger.wasUnsure(unsureKey, ctx.now);
        const posted = await gateway.post(channel, message, { postKey: nagPostKey(ctx.n), lookFirst });
        const ref = target.direct ? { ...posted, direct: true } : posted;
        await this.deps.instances.addChatRef(ctx.key, ctx.n.launchTime, ref);
        return { kind: 'posted' as const, ref };
      });
      await this.deps.ledger.done(claimKey, ctx.now);
      return outcome;
    } catch (error) {
      const failure = classifyChatFailure(error);
      this.deps.log.error('chat delivery failed', {
        channel: claimKey,
        kind: failure.kind,
        error: String(error),
      });
      if (failure.kind === 'permanent') {
        // Retrying cannot help: the claim stays done, so a redelivery does not try again.
        await this.deps.ledger.done(claimKey, ctx.now, `permanent: ${failure.reason}`).catch(() => undefined);
        return { kind: 'broken', reason: failure.reason };
      }
      // It may have landed: whoever retries (maybe a fresh Lambda container) looks it up first.
      if (failure.kind === 'unsure')
        await this.deps.ledger.markUnsure(unsureKey, ctx.now).catch(() => undefined);
      await this.deps.ledger.failed(claimKey).catch(() => undefined);
      return { kind: 'failed', error };
    }
  }

  /** Default dedup key for an event without a transport id (single process). */
  static eventKey(event: DomainEvent): string {
    return `${event.type}#${event.record.region}/${event.record.instanceId}@${event.at}`;
  }

  /**
   * Rewrites the run's messages after a stop, termination or cleanup. Rewrites
   * are idempotent; the cleanup thread reply is claimed per message so a
   * redelivered event does not reply twice. Throws when a platform fails.
   */
  async deliverEvent(
    event: DomainEvent,
    deliveryId = ChatDelivery.eventKey(event),
  ): Promise<ChatMessageRef[]> {
    const now = this.deps.clock();
    const stored = await this.deps.instances.get(event.record);
    // The event carries the record as it was; the store may know refs posted since.
    const sameRun = stored && sameLaunch(stored.launchTime, event.record.launchTime) ? stored : undefined;
    const record = sameRun
      ? {
          ...event.record,
          chatRefs: mergeRefs(event.record.chatRefs, sameRun.chatRefs),
          lastStop: event.record.lastStop ?? sameRun.lastStop,
        }
      : event.record;
    if (event.type === 'instance.cleaned-up') return this.reportCleanup(event, record, deliveryId, now);
    if (event.type === 'instance.stop-consent') return this.reportConsent(event, record, deliveryId, now);
    let outcome: NagOutcome;
    if (event.type === 'instance.terminated') {
      outcome = { kind: 'terminated', runtimeSeconds: event.runtimeSeconds };
    } else {
      // The record keeps who stopped the run and its runtime then; absent `by` means outside Lights Out.
      const stop = record.lastStop;
      outcome = stop?.by
        ? stoppedOutcome({ ...stop, by: stop.by })
        : { kind: 'stopped-outside', runtimeSeconds: stop?.runtimeSeconds ?? event.runtimeSeconds };
    }
    const ran =
      outcome.kind === 'stopped' || outcome.kind === 'stopped-outside'
        ? outcome.runtimeSeconds
        : event.runtimeSeconds;
    return this.rewriteAll(record, outcome, now, ran, true);
  }

  /**
   * The cleanup outcome as one line (`i-0abc (web-1) terminated · removed … · webhook ok`):
   * a thread reply under each nag message of the run; on a platform where the
   * instance was never nagged, a post to the group's channels (fallback rules
   * as for nags). Each reply and post is claimed once, so a redelivery is silent.
   */
  private async reportCleanup(
    event: InstanceCleanedUpEvent,
    record: InstanceRecord,
    deliveryId: string,
    now: Date,
  ): Promise<ChatMessageRef[]> {
    const failed = event.outcomes.some((o) => !o.ok);
    const summary = cleanupSummary(
      record,
      // The engine only publishes lines worth reporting; `hook` is only a label here.
      event.outcomes.map((o) => ({ ...o, hook: o.hook as CleanupHook, changed: true })),
    );
    const text = failed ? `⚠️ ${summary}` : summary;
    const refs = record.chatRefs.filter((r) => this.gateways.has(r.platform));
    const channels = (await this.channelsFor(record.group)).filter(
      (c) => !refs.some((r) => r.platform === c.platform),
    );
    if (refs.length === 0 && channels.length === 0) {
      this.deps.log.warn('cleanup report reached no chat channel', {
        instanceId: record.instanceId,
        group: record.group,
      });
      return [];
    }
    const sent: ChatMessageRef[] = [];
    const failures: { channel: string; error: unknown }[] = [];
    const once = async (key: string, channel: string, send: () => Promise<ChatMessageRef>) => {
      if (!(await this.deps.ledger.firstTime(key, now))) return;
      try {
        sent.push(await send());
        await this.deps.ledger.done(key, now);
      } catch (error) {
        await this.deps.ledger.failed(key).catch(() => undefined);
        this.deps.log.error('cleanup report failed', { channel, error: String(error) });
        failures.push({ channel, error });
      }
    };
    for (const ref of refs) {
      await once(
        `${deliveryId}#${ref.platform}:${ref.channelId}:${ref.messageId}`,
        `${ref.platform}:${ref.channelId}`,
        async () => {
          await this.gateways.get(ref.platform)!.replyInThread(ref, text);
          return ref;
        },
      );
    }
    for (const channel of channels) {
      const at = `${channel.platform}:${channel.channelId}`;
      await once(`${deliveryId}#${at}`, at, () =>
        this.gateways.get(channel.platform)!.postText(channel, text),
      );
    }
    if (failures.length) throw new DeliveryError(failures);
    return sent;
  }

  /**
   * A consented stop changed: the run's messages show it (with Cancel and
   * +1h); a warning also replies in each message's thread, once per message,
   * so the people who follow the instance hear that it stops soon.
   */
  private async reportConsent(
    event: StopConsentEvent,
    record: InstanceRecord,
    deliveryId: string,
    now: Date,
  ): Promise<ChatMessageRef[]> {
    // Messages show the run as it is now: a late event must not bring back a cancelled
    // stop, nor turn the message of a run that has since stopped back into a running one.
    const stored = await this.deps.instances.get(event.record);
    if (!stored || !sameLaunch(stored.launchTime, event.record.launchTime) || !isLive(stored.state))
      return [];
    const current = { ...stored, chatRefs: record.chatRefs };
    const updated = await this.rewriteAll(current, undefined, now, undefined, true);
    const consent = event.record.stopConsent;
    const stillDue =
      consent?.kind === 'at' && current.stopConsent?.kind === 'at' && current.stopConsent.at === consent.at;
    // An idle stop is due while the warning that the idle check sent still stands.
    const idleDue =
      consent?.kind === 'idle' &&
      consent.warnedAt !== undefined &&
      current.stopConsent?.kind === 'idle' &&
      current.stopConsent.warnedAt === consent.warnedAt;
    if (event.change !== 'warned' || !(stillDue || idleDue)) return updated;
    // The reply carries Cancel (and +1h) and lets each gateway word the time for its readers.
    const warning = consentWarning(current, consent, now);
    const text = consentWarningText(warning);
    const failures: { channel: string; error: unknown }[] = [];
    for (const ref of current.chatRefs.filter((r) => this.gateways.has(r.platform))) {
      const key = `${deliveryId}#${ref.platform}:${ref.channelId}:${ref.messageId}`;
      if (!(await this.deps.ledger.firstTime(key, now))) continue;
      try {
        await this.gateways.get(ref.platform)!.replyInThread(ref, text, { warning });
        await this.deps.ledger.done(key, now);
      } catch (error) {
        await this.deps.ledger.failed(key).catch(() => undefined);
        failures.push({ channel: `${ref.platform}:${ref.channelId}`, error });
      }
    }
    if (failures.length) throw new DeliveryError(failures);
    return updated;
  }

  /** False when the message was deleted in the meantime (gateways throw NotFoundError): post a new one instead. */
  private async updateIfStillThere(
    gateway: ChatGateway,
    ref: ChatMessageRef,
    message: NagMessage,
  ): Promise<boolean> {
    try {
      await gateway.update(ref, message);
      return true;
    } catch (err) {
      if (err instanceof NotFoundError) return false;
      throw err;
    }
  }

  /** RunMessages: used by the action pipeline; failures are logged, not thrown. */
  async updateRun(
    record: InstanceRecord,
    outcome: NagOutcome | undefined,
    now: Date,
  ): Promise<ChatMessageRef[]> {
    const pinned = outcome?.kind === 'stopped' ? outcome.runtimeSeconds : undefined;
    return this.rewriteAll(record, outcome, now, pinned, false);
  }

  private async rewriteAll(
    record: InstanceRecord,
    outcome: NagOutcome | undefined,
    now: Date,
    pinned: number | undefined,
    strict: boolean,
  ): Promise<ChatMessageRef[]> {
    const message = offerConsents(
      nagMessageFromRecord(
        record,
        now,
        outcome,
        pinned ??
          (record.state === 'running' ? undefined : runtimeSeconds(record, new Date(record.stateChangedAt))),
      ),
      this.deps.offers,
    );
    return this.eachRef(record.chatRefs, (g, ref) => g.update(ref, message), strict);
  }

  /**
   * Runs `fn` on every message of the run, concurrently, each within the
   * channel timeout. A message whose channel refuses for good (deleted,
   * archived, app removed) is skipped: retrying the event could never fix it.
   */
  private async eachRef(
    refs: ChatMessageRef[],
    fn: (g: ChatGateway, ref: ChatMessageRef) => Promise<void>,
    strict: boolean,
  ): Promise<ChatMessageRef[]> {
    const reachable = refs.filter((ref) => this.gateways.has(ref.platform));
    const results = await Promise.allSettled(
      reachable.map((ref) =>
        withChannelTimeout(`${ref.platform}:${ref.channelId}`, this.channelTimeoutSeconds, () =>
          fn(this.gateways.get(ref.platform)!, ref),
        ),
      ),
    );
    const done: ChatMessageRef[] = [];
    const failures: { channel: string; error: unknown }[] = [];
    results.forEach((result, i) => {
      const ref = reachable[i]!;
      if (result.status === 'fulfilled') {
        done.push(ref);
        return;
      }
      const failure = classifyChatFailure(result.reason);
      this.deps.log.error('chat message update failed', {
        channel: `${ref.platform}:${ref.channelId}`,
        kind: failure.kind,
        error: String(result.reason),
      });
      if (failure.kind !== 'permanent') {
        failures.push({ channel: `${ref.platform}:${ref.channelId}`, error: result.reason });
      }
    });
    if (strict && failures.length) throw new DeliveryError(failures);
    return done;
  }

  /**
   * The channels following `group` on platforms this deployment runs, with
   * their routing and broken flag; else the fallback channels, routed as `channel`.
   */
  private async followersOf(
    group: string,
  ): Promise<{ channel: ChannelRef; routing: NagRouting; broken?: boolean }[]> {
    const subs = (await this.deps.subscriptions.forGroup(group)).filter((s) =>
      this.gateways.has(s.channel.platform),
    );
    if (subs.length)
      return subs.map((s) => ({ channel: s.channel, routing: routingOf(s), broken: !!s.broken }));
    return [...this.gateways.keys()]
      .map((p) => this.deps.fallbackChannels[p])
      .filter((c): c is ChannelRef => !!c)
      .map((channel) => ({ channel, routing: {} }));
  }

  /** Subscribed channels on platforms this deployment runs; else the fallback channels. */
  private async channelsFor(group: string): Promise<ChannelRef[]> {
    const subs = await this.deps.subscriptions.forGroup(group);
    const reachable = subs.map((s) => s.channel).filter((c) => this.gateways.has(c.platform));
    if (reachable.length) return reachable;
    return [...this.gateways.keys()]
      .map((p) => this.deps.fallbackChannels[p])
      .filter((c): c is ChannelRef => !!c);
  }

  /** Sets or clears the owner warning with an optimistic write; loses gracefully to a concurrent write. */
  private async setOwnerWarning(
    key: { region: string; instanceId: string },
    launchTime: string,
    warning: string | undefined,
  ): Promise<void> {
    for (let attempt = 0; attempt < 3; attempt++) {
      const record = await this.deps.instances.get(key);
      if (!record || !sameLaunch(record.launchTime, launchTime)) return;
      if (record.ownerWarning === warning) return;
      const { ownerWarning: _w, ...rest } = record;
      try {
        await this.deps.instances.put(warning ? { ...rest, ownerWarning: warning } : rest, {
          expectedVersion: record.version,
        });
        return;
      } catch (err) {
        if (!(err instanceof ConflictError)) throw err;
      }
    }
    this.deps.log.warn('could not record the owner warning after 3 attempts', { ...key });
  }
}

const isLive = (state: InstanceRecord['state']): boolean => state === 'running' || state === 'pending';

function mergeRefs(a: ChatMessageRef[], b: ChatMessageRef[]): ChatMessageRef[] {
  const out = [...a];
  for (const ref of b) {
    if (
      !out.some(
        (r) => r.platform === ref.platform && r.channelId === ref.channelId && r.messageId === ref.messageId,
      )
    )
      out.push(ref);
  }
  return out;
}
