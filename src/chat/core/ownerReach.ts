/**
 * Owner lookups with a memory: each (platform, owner) is looked up once per
 * TTL, found or not, and concurrent nags for the same owner share one lookup.
 * So a hundred instances tagged with one address cost one `users.lookupByEmail`,
 * and a wrong address never turns into a storm of lookups. A passing failure
 * (network, rate limit) is remembered for a shorter while, then tried again.
 * Per process: a Lambda container or the single process.
 */
import type { ChatPlatform } from '../../core/instance.js';
import type { Owner } from '../../core/owner.js';
import type { Clock } from '../../ports/clock.js';
import type { OwnerDirectory, OwnerLookup } from '../../ports/ownerDirectory.js';

/** A DM once found stays valid: a day. */
export const OWNER_FOUND_TTL_SECONDS = 86_400;
/** Nobody found, or a lasting refusal (missing scope): an hour, so a fixed tag or scope shows soon. */
export const OWNER_FAILED_TTL_SECONDS = 3600;
/** A passing failure (network, rate limit): five minutes. */
export const OWNER_RETRY_SECONDS = 300;
/** Bounds the memory; the oldest answer goes first. */
const MAX_ENTRIES = 10_000;

interface Entry {
  at: number;
  ttlMs: number;
  answer: Promise<OwnerLookup>;
}

export class OwnerReach {
  private readonly directories: Map<ChatPlatform, OwnerDirectory>;
  private readonly cache = new Map<string, Entry>();

  constructor(
    directories: OwnerDirectory[],
    private readonly clock: Clock,
  ) {
    this.directories = new Map(directories.map((d) => [d.platform, d]));
  }

  /** Whether owners can be reached on `platform` at all (a directory is wired). */
  reaches(platform: ChatPlatform): boolean {
    return this.directories.has(platform);
  }

  /** Drops what is remembered about `owner` on `platform` (their DM refused a post): the next nag looks again. */
  forget(platform: ChatPlatform, owner: Owner): void {
    this.cache.delete(`${platform}|${owner.kind}|${owner.value}`);
  }

  /** The owner's direct conversation on `platform`, from memory when asked recently. */
  async lookup(platform: ChatPlatform, owner: Owner): Promise<OwnerLookup> {
    const directory = this.directories.get(platform);
    if (!directory) return { kind: 'elsewhere' };
    const key = `${platform}|${owner.kind}|${owner.value}`;
    const now = this.clock().getTime();
    const hit = this.cache.get(key);
    if (hit && now - hit.at < hit.ttlMs) return hit.answer;
    const entry: Entry = {
      at: now,
      ttlMs: OWNER_FOUND_TTL_SECONDS * 1000,
      answer: directory.directChannel(owner).catch(
        (err: unknown): OwnerLookup => ({
          kind: 'failed',
          reason: `Owner ${JSON.stringify(owner.value)} could not be looked up (${String(err)})`,
          lasting: false,
        }),
      ),
    };
    this.cache.delete(key);
    this.cache.set(key, entry);
    if (this.cache.size > MAX_ENTRIES) this.cache.delete(this.cache.keys().next().value!);
    const answer = await entry.answer;
    if (answer.kind === 'failed')
      entry.ttlMs = (answer.lasting ? OWNER_FAILED_TTL_SECONDS : OWNER_RETRY_SECONDS) * 1000;
    return answer;
  }
}
