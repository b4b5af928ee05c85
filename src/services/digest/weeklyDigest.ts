/**
 * Sends each channel its weekly digest. `runDue()` is what a timer calls
 * (hourly on AWS, every few minutes in the single process): for every
 * channel that follows a group it decides whether the digest is due
 * (src/core/digestSchedule.ts), claims the week in the settings store so a
 * tick that fires twice sends one digest, builds it for the channel's groups,
 * posts it, and only then marks the week sent. The claim is a lease: a crash
 * between claiming and posting delays the week's digest, never loses it. The
 * post has a deadline well inside the lease, and ending the claim names it,
 * so a slow sender cannot end the claim of the one that took over from it.
 * `sendNow()` is `/ec2 digest now`.
 */
import type { Digest } from '../../core/digest.js';
import { type DigestDefaults, digestDue } from '../../core/digestSchedule.js';
import type { ChatPlatform } from '../../core/instance.js';
import { realSleep, type Sleep, withRetry } from '../../core/retry.js';
import { type Log, silentLog } from '../../log.js';
import type { Clock } from '../../ports/clock.js';
import { DigestPartlyPostedError, type DigestPoster } from '../../ports/digestPoster.js';
import type { ChannelKey, DigestSettingsStore, WeekClaim } from '../../ports/digestSettings.js';
import type { ChannelRef, Subscription, SubscriptionStore } from '../../ports/subscriptionStore.js';
import { type DigestSources, loadDigest } from './loadDigest.js';

export interface WeeklyDigestDeps extends DigestSources {
  subscriptions: SubscriptionStore;
  settings: DigestSettingsStore;
  posters: DigestPoster[];
  defaults: DigestDefaults;
  clock: Clock;
  log?: Log;
  /** Waits between tries of marking a week sent; tests pass one that does not wait. */
  sleep?: Sleep;
  /** A signal that aborts after `ms` (AbortSignal.timeout by default): the post's deadline. */
  deadline?: (ms: number) => AbortSignal;
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

/**
 * How long a post may take before it is abandoned: a third of the lease, so a
 * post that could still land is over well before another sender may claim
 * the week. The posters stop at it (src/ports/digestPoster.ts).
 */
export const POST_DEADLINE_MS = 5 * 60_000;

/** Tries at marking a posted week sent; a store that stays down after them leaves it "sent, not marked". */
const MARK_SENT = { attempts: 4, baseDelayMs: 500, maxDelayMs: 4_000 };

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
    const outcomes: DigestOutcome[] = [];
    const served = new Set(this.deps.posters.map((p) => p.platform));
    for (const { channel, groups } of channelsOf(await this.deps.subscriptions.all())) {
      if (!served.has(channel.platform)) continue;
      try {
        outcomes.push(await this.runChannel(channel, groups));
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

  private async runChannel(channel: ChannelRef, groups: string[]): Promise<DigestOutcome> {
    const settings = await this.deps.settings.get(channel);
    // Each channel reads the clock: one slow channel must not date the next one's lease in the past.
    const now = this.deps.clock();
    const decision = digestDue(settings ?? {}, this.deps.defaults, now);
    if (!decision.due) return { channel: label(channel), sent: false, reason: decision.reason };
    const poster = this.poster(channel.platform);
    const claim: WeekClaim = {
      week: decision.week,
      until: new Date(now.getTime() + CLAIM_LEASE_MS).toISOString(),
    };
    const lease = { now: now.toISOString(), until: claim.until };
    if (!(await this.deps.settings.claimWeek(channel, claim.week, lease))) {
      return {
        channel: label(channel),
        sent: false,
        reason: `the week of ${decision.week} was claimed by another tick`,
      };
    }
    const signal = (this.deps.deadline ?? AbortSignal.timeout)(POST_DEADLINE_MS);
    try {
      const digest = await loadDigest(this.deps, {
        since: decision.since,
        until: decision.until,
        timeZone: decision.timeZone,
        groups,
      });
      await withDeadline(poster.post(channel, digest, { signal }), signal);
    } catch (err) {
      if (err instanceof DigestPartlyPostedError) {
        (this.deps.log ?? silentLog).warn('weekly digest posted in part; the week counts as sent', {
          channel: label(channel),
          error: err.message,
        });
        return this.markSent(channel, claim, groups, `${decision.reason}; ${err.message}`);
      }
      // Past the deadline the post may still be under way: the claim is left to run out instead.
      if (!signal.aborted) await this.deps.settings.releaseWeek(channel, claim);
      throw err;
    }
    // Only now is the week sent: a crash before this line leaves a claim that expires, not a lost week.
    return this.markSent(channel, claim, groups, decision.reason);
  }

  /**
   * Marks a posted week sent, a few times over if the store fails: a claim
   * left in place would run out and the week be posted again. If the store
   * stays down the digest still went out, and the outcome says so.
   */
  private async markSent(
    channel: ChannelRef,
    claim: WeekClaim,
    groups: string[],
    reason: string,
  ): Promise<DigestOutcome> {
    const log = this.deps.log ?? silentLog;
    const at = { channel: label(channel), week: claim.week };
    try {
      const { value: ours } = await withRetry(
        { ...MARK_SENT, sleep: this.deps.sleep ?? realSleep, retryOn: () => true },
        () => this.deps.settings.markSent(channel, claim),
      );
      if (ours) log.info('weekly digest sent', { ...at, groups });
      else log.warn('weekly digest sent after its claim ran out; another sender had claimed the week', at);
      return { channel: label(channel), sent: true, reason };
    } catch (err) {
      log.error('weekly digest sent, not marked: once the claim runs out it may be posted again', {
        ...at,
        claimUntil: claim.until,
        error: String(err),
      });
      return {
        channel: label(channel),
        sent: true,
        reason: `sent, not marked: ${String(err)}; the week may be posted again after ${claim.until}`,
      };
    }
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

/** The post, or the deadline's abort if that comes first (a poster that ignores the signal is not waited for). */
function withDeadline<T>(work: Promise<T>, signal: AbortSignal): Promise<T> {
  if (signal.aborted) return Promise.reject(deadlineError());
  return new Promise<T>((resolve, reject) => {
    const onAbort = () => reject(deadlineError());
    signal.addEventListener('abort', onAbort, { once: true });
    work.then(resolve, reject).finally(() => signal.removeEventListener('abort', onAbort));
  });
}

function deadlineError(): Error {
  return new Error(
    `the post took longer than ${POST_DEADLINE_MS / 60_000} minutes; the claim is left to run out before another try`,
  );
}
