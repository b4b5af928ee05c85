/**
 * Turns engine output into chat posts on every platform: a NagNotification
 * becomes a message in every channel subscribed to the group (or the
 * fallback channel, or an "undelivered" mark on the record); domain events
 * rewrite the run's messages. Each (delivery, channel) pair is claimed once in
 * the idempotency store, so an SNS redelivery or a retry after a partial
 * failure never posts twice. Any channel failing makes the call throw, so the
 * caller (SNS, the in-process notifier) retries; nothing is dropped.
 */

import { type CleanupHook, cleanupSummary } from '../../core/cleanup/cleanupReport.js';
import { ConflictError, NotFoundError } from '../../core/errors.js';
import type { DomainEvent, InstanceCleanedUpEvent } from '../../core/events.js';
import {
  type ChatMessageRef,
  type ChatPlatform,
  type InstanceRecord,
  runtimeSeconds,
} from '../../core/instance.js';
import {
  type NagMessage,
  type NagOutcome,
  nagMessageFromNotification,
  nagMessageFromRecord,
  repeatNagText,
} from '../../core/message/nagMessage.js';
import { sameLaunch } from '../../core/message/runToken.js';
import type { NagNotification } from '../../core/notification.js';
import type { Log } from '../../log.js';
import type { ChatGateway } from '../../ports/chat.js';
import type { Clock } from '../../ports/clock.js';
import type { InstanceStore } from '../../ports/instanceStore.js';
import type { ChannelRef, SubscriptionStore } from '../../ports/subscriptionStore.js';
import type { RunMessages } from './actionPipeline.js';
import type { RunLedger } from './runLedger.js';

/** `update`: repeat nags rewrite the first message and reply in its thread. `new-message`: post anew each time. */
export type RepeatNagMode = 'update' | 'new-message';

export interface ChatDeliveryDeps {
  gateways: ChatGateway[];
  subscriptions: SubscriptionStore;
  instances: InstanceStore;
  ledger: RunLedger;
  fallbackChannels: Partial<Record<ChatPlatform, ChannelRef>>;
  repeatMode: RepeatNagMode;
  clock: Clock;
  log: Log;
}

export interface NagDeliveryReport {
  posted: ChatMessageRef[];
  updated: ChatMessageRef[];
  skipped: string[];
  undelivered: boolean;
}

/** Thrown when at least one channel failed; the others are done and will not repeat on retry. */
export class DeliveryError extends Error {
  constructor(readonly failures: { channel: string; error: unknown }[]) {
    super(`chat delivery failed for ${failures.map((f) => f.channel).join(', ')}`, {
      cause: failures[0]?.error,
    });
    this.name = 'DeliveryError';
  }
}

export class ChatDelivery implements RunMessages {
  private readonly gateways: Map<ChatPlatform, ChatGateway>;

  constructor(private readonly deps: ChatDeliveryDeps) {
    this.gateways = new Map(deps.gateways.map((g) => [g.platform, g]));
  }

  /** Default dedup key when no transport id exists (single process): one per due nag. */
  static nagKey(n: NagNotification): string {
    return `nag#${n.region}/${n.instanceId}@${n.dueAt}`;
  }

  async deliverNag(n: NagNotification, deliveryId = ChatDelivery.nagKey(n)): Promise<NagDeliveryReport> {
    const now = this.deps.clock();
    const report: NagDeliveryReport = { posted: [], updated: [], skipped: [], undelivered: false };
    const channels = await this.channelsFor(n.group);
    const key = { region: n.region, instanceId: n.instanceId };
    if (channels.length === 0) {
      this.deps.log.warn('nag reached no chat channel', { instanceId: n.instanceId, group: n.group });
      await this.markUndelivered(key, n.launchTime, true);
      return { ...report, undelivered: true };
    }
    const record = await this.deps.instances.get(key);
    const refs = record && sameLaunch(record.launchTime, n.launchTime) ? record.chatRefs : [];
    const message = nagMessageFromNotification(n);
    const failures: { channel: string; error: unknown }[] = [];
    for (const channel of channels) {
      const gateway = this.gateways.get(channel.platform)!;
      const claimKey = `${deliveryId}#${channel.platform}:${channel.channelId}`;
      if (!(await this.deps.ledger.firstTime(claimKey, now))) {
        report.skipped.push(claimKey);
        continue;
      }
      try {
        const existing = refs.find(
          (r) => r.platform === channel.platform && r.channelId === channel.channelId,
        );
        const updatedInPlace =
          existing &&
          this.deps.repeatMode === 'update' &&
          (await this.updateIfStillThere(gateway, existing, message));
        if (updatedInPlace) {
          await gateway.replyInThread(existing, repeatNagText(message.facts));
          report.updated.push(existing);
        } else {
          const ref = await gateway.post(channel, message);
          await this.deps.instances.addChatRef(key, n.launchTime, ref);
          report.posted.push(ref);
        }
        await this.deps.ledger.done(claimKey, now);
      } catch (error) {
        await this.deps.ledger.failed(claimKey).catch(() => undefined);
        this.deps.log.error('chat delivery failed', { channel: claimKey, error: String(error) });
        failures.push({ channel: `${channel.platform}:${channel.channelId}`, error });
      }
    }
    if (failures.length) throw new DeliveryError(failures);
    if (record?.undelivered) await this.markUndelivered(key, n.launchTime, false);
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
    const record =
      stored && sameLaunch(stored.launchTime, event.record.launchTime)
        ? { ...event.record, chatRefs: mergeRefs(event.record.chatRefs, stored.chatRefs) }
        : event.record;
    if (event.type === 'instance.cleaned-up') return this.reportCleanup(event, record, deliveryId, now);
    let outcome: NagOutcome;
    if (event.type === 'instance.terminated') {
      outcome = { kind: 'terminated', runtimeSeconds: event.runtimeSeconds };
    } else {
      const note = await this.deps.ledger.stopNote(record, now);
      outcome = note
        ? { kind: 'stopped', by: note.by, runtimeSeconds: note.runtimeSeconds }
        : { kind: 'stopped-outside', runtimeSeconds: event.runtimeSeconds };
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
    const message = nagMessageFromRecord(
      record,
      now,
      outcome,
      pinned ??
        (record.state === 'running' ? undefined : runtimeSeconds(record, new Date(record.stateChangedAt))),
    );
    return this.eachRef(record.chatRefs, (g, ref) => g.update(ref, message), strict);
  }

  private async eachRef(
    refs: ChatMessageRef[],
    fn: (g: ChatGateway, ref: ChatMessageRef) => Promise<void>,
    strict: boolean,
  ): Promise<ChatMessageRef[]> {
    const done: ChatMessageRef[] = [];
    const failures: { channel: string; error: unknown }[] = [];
    for (const ref of refs) {
      const gateway = this.gateways.get(ref.platform);
      if (!gateway) continue;
      try {
        await fn(gateway, ref);
        done.push(ref);
      } catch (error) {
        this.deps.log.error('chat message update failed', {
          channel: `${ref.platform}:${ref.channelId}`,
          error: String(error),
        });
        failures.push({ channel: `${ref.platform}:${ref.channelId}`, error });
      }
    }
    if (strict && failures.length) throw new DeliveryError(failures);
    return done;
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

  /** Sets `undelivered` with an optimistic write; loses gracefully to a concurrent engine write. */
  private async markUndelivered(
    key: { region: string; instanceId: string },
    launchTime: string,
    value: boolean,
  ): Promise<void> {
    for (let attempt = 0; attempt < 3; attempt++) {
      const record = await this.deps.instances.get(key);
      if (!record || !sameLaunch(record.launchTime, launchTime) || !!record.undelivered === value) return;
      try {
        await this.deps.instances.put({ ...record, undelivered: value }, { expectedVersion: record.version });
        return;
      } catch (err) {
        if (!(err instanceof ConflictError)) throw err;
      }
    }
    this.deps.log.warn('could not record delivery state after 3 attempts', { ...key, undelivered: value });
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
