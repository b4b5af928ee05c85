/**
 * Work the single process does after a chat request has its answer: a
 * click's action, a slash command or Teams request that outran the
 * acknowledgement budget. Two things matter for it:
 *
 * - It must not crowd out acknowledgements. The process answers Slack and
 *   Teams on the same event loop that runs this work, so 200 clicks starting
 *   200 actions at once (SQLite, EC2, Slack calls and their parsing) delay the
 *   200 answers behind them. Queued work runs at most `limit` at a time; the
 *   rest waits its turn, already acknowledged.
 * - Shutdown waits for it, queued or running, so SIGTERM never cuts off
 *   something a person was told is under way.
 *
 *   const late = new LateWork(8);
 *   await late.run(() => runSlackWork(work, deps));  // queued
 *   late.keep(answerAfterAck);                        // already running: only waited for
 *   await late.drain();                               // at shutdown
 */
export class LateWork {
  private readonly waiting: (() => void)[] = [];
  private readonly pending = new Set<Promise<unknown>>();
  private running = 0;

  constructor(private readonly limit: number) {}

  /** Runs `task` when fewer than `limit` tasks are running; settles as it does. */
  run<T>(task: () => Promise<T>): Promise<T> {
    const done = this.turn().then(async () => {
      try {
        return await task();
      } finally {
        const next = this.waiting.shift();
        if (next) next();
        else this.running--;
      }
    });
    this.keep(done);
    return done;
  }

  /** Counts work that already runs (outside the queue) until it settles, so `drain` waits for it. */
  keep(work: Promise<unknown>): void {
    const settled = work.then(
      () => undefined,
      () => undefined,
    );
    this.pending.add(settled);
    void settled.finally(() => this.pending.delete(settled));
  }

  /** Queued and running work, for logs and tests. */
  get size(): number {
    return this.pending.size;
  }

  /** Resolves once everything queued or kept so far, and anything it queued in turn, has settled. */
  async drain(): Promise<void> {
    while (this.pending.size) await Promise.all([...this.pending]);
  }

  private turn(): Promise<void> {
    if (this.running < this.limit) {
      this.running++;
      return Promise.resolve();
    }
    // The slot is handed over by the task that frees it, so `running` never exceeds the limit.
    return new Promise((resolve) => this.waiting.push(() => resolve()));
  }
}
