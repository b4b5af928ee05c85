/**
 * Remembers which deliveries and actions already happened, so that SNS
 * redeliveries and chat-platform retries do not post or act twice.
 *
 * `claim` is an atomic "first one wins": it succeeds when the key is unknown,
 * or when an earlier claim's lease ran out without completing (a crashed
 * attempt). Completed keys stay until `expiresAt`. Implementations: DynamoDB
 * (conditional put) and SQLite (single transaction).
 */
export type ClaimResult =
  | { claimed: true }
  | { claimed: false; status: 'in-progress' | 'completed'; result?: string };

export interface IdempotencyRecord {
  key: string;
  status: 'in-progress' | 'completed';
  /** Optional payload a completer leaves for later readers (e.g. who stopped an instance). */
  result?: string;
  /** ISO: in-progress leases and completed records are ignored after this. */
  expiresAt: string;
}

export interface IdempotencyStore {
  /** Claims `key` until `leaseUntil`; see the type comment for the rules. */
  claim(key: string, leaseUntil: Date, now: Date): Promise<ClaimResult>;
  /** Marks the key done (keeps it until `expiresAt`), with an optional result for `get`. */
  complete(key: string, expiresAt: Date, result?: string): Promise<void>;
  /** Gives up a claim after a failure so a retry can claim it again. */
  release(key: string): Promise<void>;
  get(key: string, now: Date): Promise<IdempotencyRecord | undefined>;
}
