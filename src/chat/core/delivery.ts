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
 *
 * This file decides and reports; the parts live beside it: where a nag goes
 * (nagTargets.ts), one channel of one nag (nagChannel.ts), a run's messages
 * rewritten (runRewrite.ts), cleanup and consent replies (eventReports.ts),
 * broken channels and undelivered marks (deliveryMarks.ts).
 */

import { ConflictError } from '../../core/errors.js';
import type { DomainEvent } from '../../core/events.js';
import type { ChatMessageRef, InstanceRecord } from '../../core/instance.js';
import { offerConsents } from '../../core/message/consentMessage.js';
import {
  type NagOutcome,
  nagMessageFromNotification,
  outsideStopOutcome,
  stoppedOutcome,
} from '../../core/message/nagMessage.js';
import { sameLaunch } from '../../core/message/runToken.js';
import { routeNag } from '../../core/nagRouting.js';
import type { NagNotification } from '../../core/notification.js';
import type { ChannelRef } from '../../ports/subscriptionStore.js';
import type { RunMessages } from './actionPipeline.js';
import { type BrokenChannelDeps, markUndelivered, reportBrokenChannel } from './deliveryMarks.js';
import {
  type ChatDeliveryDeps,
  type DeliveryContext,
  DeliveryError,
  type NagDeliveryReport,
} from './deliveryTypes.js';
import { reportCleanup, reportConsent } from './eventReports.js';
import { nagOneChannel } from './nagChannel.js';
import { followersOf, type NagTarget, targetsOf } from './nagTargets.js';
import { rewriteAll } from './runRewrite.js';

export {
  type ChatDeliveryDeps,
  DeliveryError,
  type NagDeliveryReport,
  nagPostKey,
  type RepeatNagMode,
} from './deliveryTypes.js';

export class ChatDelivery implements RunMessages {
  private readonly ctx: DeliveryContext;
  private readonly marks: BrokenChannelDeps;

  constructor(private readonly deps: ChatDeliveryDeps) {
    const gateways = new Map(deps.gateways.map((g) => [g.platform, g]));
    const channelTimeoutSeconds = deps.channelTimeoutSeconds ?? 15;
    this.ctx = { deps, gateways, channelTimeoutSeconds };
    this.marks = { ...deps, gateways, channelTimeoutSeconds };
  }

  /** Default dedup key when no transport id exists (single process): one per due nag. */
  static nagKey(n: NagNotification): string {
    return `nag#${n.region}/${n.instanceId}@${n.dueAt}`;
  }

  async deliverNag(n: NagNotification, deliveryId = ChatDelivery.nagKey(n)): Promise<NagDeliveryReport> {
    const now = this.deps.clock();
    const report: NagDeliveryReport = { posted: [], updated: [], skipped: [], undelivered: false };
    const followers = await followersOf(this.ctx, n.group);
    const key = { region: n.region, instanceId: n.instanceId };
    if (followers.length === 0) {
      this.deps.log.warn('nag reached no chat channel', { instanceId: n.instanceId, group: n.group });
      await markUndelivered(this.deps, key, n.launchTime, 'no channel follows this group');
      return { ...report, undelivered: true };
    }
    const routed = await targetsOf(this.ctx, n, followers);
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
          nagOneChannel(
            this.ctx,
            target,
            `${deliveryId}#${target.channel.platform}:${target.channel.channelId}`,
            {
              n,
              key,
              refs,
              message,
              now,
            },
          ),
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
    if (event.type === 'instance.cleaned-up') return reportCleanup(this.ctx, event, record, deliveryId, now);
    if (event.type === 'instance.stop-consent')
      return reportConsent(this.ctx, event, record, deliveryId, now);
    let outcome: NagOutcome;
    if (event.type === 'instance.terminated') {
      outcome = { kind: 'terminated', runtimeSeconds: event.runtimeSeconds };
    } else {
      // The record keeps who stopped the run and its runtime then; absent `by` means outside Lights Out.
      const stop = record.lastStop;
      outcome = stop?.by
        ? stoppedOutcome({ ...stop, by: stop.by })
        : outsideStopOutcome(stop, stop?.runtimeSeconds ?? event.runtimeSeconds);
    }
    const ran =
      outcome.kind === 'stopped' || outcome.kind === 'stopped-outside'
        ? outcome.runtimeSeconds
        : event.runtimeSeconds;
    return rewriteAll(this.ctx, record, outcome, now, ran, true);
  }

  /** RunMessages: used by the action pipeline; failures are logged, not thrown. */
  async updateRun(
    record: InstanceRecord,
    outcome: NagOutcome | undefined,
    now: Date,
  ): Promise<ChatMessageRef[]> {
    const pinned = outcome?.kind === 'stopped' ? outcome.runtimeSeconds : undefined;
    return rewriteAll(this.ctx, record, outcome, now, pinned, false);
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
