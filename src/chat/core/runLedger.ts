/**
 * Small facts the chat layer must remember between requests, kept in the
 * IdempotencyStore: which request ids were handled, and who stopped a run (so
 * the later `instance.stopped` event does not say "stopped outside chat").
 */

import type { ChatPerson } from '../../core/message/nagMessage.js';
import type { IdempotencyStore } from '../../ports/idempotencyStore.js';
import type { RunRef } from '../../services/monitor/api.js';

const DAY_MS = 86_400_000;
/** Long enough to outlive SNS retries (23 days max) is not needed: duplicates arrive within hours. */
export const REMEMBER_MS = 7 * DAY_MS;
/** A crashed attempt frees its claim after this, so a retry can take over. */
export const LEASE_MS = 60_000;

export interface StopNote {
  by: ChatPerson;
  runtimeSeconds: number;
}

const stopKey = (run: RunRef) =>
  `stop#${run.region}/${run.instanceId}@${Math.floor(Date.parse(run.launchTime) / 1000)}`;

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

  async noteStop(run: RunRef, note: StopNote, now: Date): Promise<void> {
    await this.store.complete(stopKey(run), new Date(now.getTime() + REMEMBER_MS), JSON.stringify(note));
  }

  async stopNote(run: RunRef, now: Date): Promise<StopNote | undefined> {
    const rec = await this.store.get(stopKey(run), now);
    if (rec?.status !== 'completed' || !rec.result) return undefined;
    try {
      return JSON.parse(rec.result) as StopNote;
    } catch {
      return undefined;
    }
  }
}
