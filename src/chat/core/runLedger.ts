/**
 * Small facts the chat layer must remember between requests, kept in the
 * IdempotencyStore: which request ids and deliveries were handled. (Who
 * stopped a run lives on the instance record, `lastStop`.)
 */

import type { IdempotencyStore } from '../../ports/idempotencyStore.js';

const DAY_MS = 86_400_000;
/** Long enough to outlive SNS retries (23 days max) is not needed: duplicates arrive within hours. */
export const REMEMBER_MS = 7 * DAY_MS;
/** A crashed attempt frees its claim after this, so a retry can take over. */
export const LEASE_MS = 60_000;

export class RunLedger {
  constructor(private readonly store: IdempotencyStore) {}

  /** True the first time `key` is seen; false for a repeat that is done or under way. */
  async firstTime(key: string, now: Date): Promise<boolean> {
    const claim = await this.store.claim(key, new Date(now.getTime() + LEASE_MS), now);
    return claim.claimed;
  }

  async done(key: string, now: Date, result?: string): Promise<void> {
    await this.store.complete(key, new Date(now.getTime() + REMEMBER_MS), result);
  }

  async failed(key: string): Promise<void> {
    await this.store.release(key);
  }

  /**
   * Remembers that a post's outcome is unknown (it may have landed), kept in
   * the store rather than in memory: a retry in another process or Lambda
   * container must look the post up before posting again.
   */
  async markUnsure(postKey: string, now: Date): Promise<void> {
    await this.store.complete(`unsure#${postKey}`, new Date(now.getTime() + REMEMBER_MS));
  }

  /** True when an earlier attempt of this post ended without knowing whether it landed. */
  async wasUnsure(postKey: string, now: Date): Promise<boolean> {
    return (await this.store.get(`unsure#${postKey}`, now)) !== undefined;
  }
}
