/**
 * Sends each channel its weekly digest. `runDue()` is what a timer calls
 * (hourly on AWS, every few minutes in the single process): for every
 * channel that follows a group it decides whether the digest is due
 * (src/core/digestSchedule.ts), claims the week in the settings store so a
 * tick that fires twice sends one digest, builds it for the channel's groups,
 * posts it, and only then marks the week sent. The claim is a lease: a crash
 * between claiming and posting delays the week's digest, never loses it. `sendNow()` is `/ec2 digest now`.
 */
import type { Digest } from '../../core/digest.js';
import { type DigestDefaults, digestDue } from '../../core/digestSchedule.js';
import type { ChatPlatform } from '../../core/instance.js';
import { type Log, silentLog } from '../../log.js';
import type { Clock } from '../../ports/clock.js';
import type { DigestPoster } from '../../ports/digestPoster.js';
import type { ChannelKey, DigestSettingsStore } from '../../ports/digestSettings.js';
import type { ChannelRef, Subscription, SubscriptionStore } from '../../ports/subscriptionStore.js';
import { type DigestSources, loadDigest } from './loadDigest.js';

export interface WeeklyDigestDeps extends DigestSources {
  subscriptions: SubscriptionStore;
  settings: DigestSettingsStore;
  posters: DigestPoster[];
  defaults: DigestDefaults;
  clock: Clock;
  log?: Log;
}

export interface DigestOutcome {
  channel: string;
  sent: boolean;
  reason: string;
}

/**
 * How long a claim on a week holds: longer than building and posting one
 * digest takes (the digest functions time out after 5 minutes), short enough
 * that a sender that crashed holding it delays the digest by a tick or two.
 */
export const CLAIM_LEASE_MS = 15 * 60_000;

const label = (c: ChannelKey) => `${c.platform}:${c.channelId}`;

export class WeeklyDigestService {
  constructor(private readonly deps: WeeklyDigestDeps) {}

  /**
   * Sends every digest that is due now; one channel failing never stops the
   * others. Only channels of the platforms this service has a poster for: on
   * Lambda each platform's digest function sends its own channels' digests.
   */
  async runDue(): Promise<DigestOutcome[]> {
    const log = this.deps.log ?? silentLog;
    const now = this.deps.clock();
    const outcomes: DigestOutcome[] = [];
    const served = new Set(this.deps.posters.map((p) => p.platform));
    for (const { channel, groups } of channelsOf(await this.deps.subscriptions.all())) {
      if (!served.has(channel.platform)) continue;
      try {
        outcomes.push(await this.runChannel(channel, groups, now));
      } catch (err) {
        log.error('weekly digest failed; the next tick tries again', {
          channel: label(channel),
          error: String(err),
        });
        outcomes.push({ channel: label(channel), sent: false, reason: `failed: ${String(err)}` });
      }
    }
    return outcomes;
  }

  /** The digest of the last 7 days for `channel`'s groups, posted now (`/ec2 digest now`). */
  async sendNow(channel: ChannelRef): Promise<Digest> {
    const now = this.deps.clock();
    const groups = (await this.deps.subscriptions.forChannel(channel)).map((s) => s.group);
    const settings = await this.deps.settings.get(channel);
    const digest = await loadDigest(this.deps, {
      since: new Date(now.getTime() - 7 * 86_400_000),
      until: now,
      timeZone: settings?.timeZone ?? this.deps.defaults.timeZone,
      groups,
    });
    await this.poster(channel.platform).post(channel, digest);
    return digest;
  }

  private async runChannel(channel: ChannelRef, groups: string[], now: Date): Promise<DigestOutcome> {
    const log = this.deps.log ?? silentLog;
    const settings = await this.deps.settings.get(channel);
    const decision = digestDue(settings ?? {}, this.deps.defaults, now);
    if (!decision.due) return { channel: label(channel), sent: false, reason: decision.reason };
    const poster = this.poster(channel.platform);
    const lease = { now: now.toISOString(), until: new Date(now.getTime() + CLAIM_LEASE_MS).toISOString() };
    if (!(await this.deps.settings.claimWeek(channel, decision.week, lease))) {
      return {
        channel: label(channel),
        sent: false,
        reason: `the week of ${decision.week} was claimed by another tick`,
      };
    }
    try {
      const digest = await loadDigest(this.deps, {
        since: decision.since,
        until: decision.until,
        timeZone: decision.timeZone,
        groups,
      });
      await poster.post(channel, digest);
    } catch (err) {
      await this.deps.settings.releaseWeek(channel, decision.week);
      throw err;
    }
    // Only now is the week sent: a crash before this line leaves a claim that expires, not a lost week.
    await this.deps.settings.markSent(channel, decision.week);
    log.info('weekly digest sent', { channel: label(channel), week: decision.week, groups });
    return { channel: label(channel), sent: true, reason: decision.reason };
  }

  private poster(platform: ChatPlatform): DigestPoster {
    const poster = this.deps.posters.find((p) => p.platform === platform);
    if (!poster) throw new Error(`no digest poster for ${platform} is configured`);
    return poster;
  }
}

/** Each channel once, with the groups it follows; broken channels are skipped. */
function channelsOf(subs: Subscription[]): { channel: ChannelRef; groups: string[] }[] {
  const byChannel = new Map<string, { channel: ChannelRef; groups: string[] }>();
  for (const sub of subs) {
    if (sub.broken) continue;
    const key = label(sub.channel);
    const entry = byChannel.get(key) ?? { channel: sub.channel, groups: [] };
    entry.groups.push(sub.group);
    byChannel.set(key, entry);
  }
  return [...byChannel.values()];
}
