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
 *   something a person was told is under way; but only until a deadline, as a
 *   hung AWS call or a click retrying while AWS fails would otherwise hold the
 *   process past its supervisor's grace. What is left is named in the log.
 *
 *   const late = new LateWork(8);
 *   await late.run(() => runSlackWork(work, deps), 'slack stop click by U0ALICE');  // queued
 *   late.keep(answerAfterAck, 'teams command answer');  // already running: only waited for
 *   const { left } = await late.drain(25_000);          // at shutdown: names of what did not finish
 */
export class LateWork {
  private readonly waiting: (() => void)[] = [];
  /** Queued, running and kept work, each with the name shutdown reports it by. */
  private readonly pending = new Map<Promise<unknown>, string>();
  /** What each queued task's promise is counted as in `pending`, so work that follows it can take its place. */
  private readonly queued = new WeakMap<Promise<unknown>, Promise<unknown>>();
  private running = 0;
  /** Set when a drain's deadline passed: queued work that has not started never will. */
  private closed = false;

  constructor(private readonly limit: number) {}

  /** Runs `task` when fewer than `limit` tasks are running; settles as it does. */
  run<T>(task: () => Promise<T>, name = 'chat work'): Promise<T> {
    const done = this.turn().then(async () => {
      try {
        // Past shutdown's deadline the store is closing: a queued click must not start against it.
        if (this.closed) throw new Error(`not started: shutdown's deadline passed first (${name})`);
        return await task();
      } finally {
        const next = this.waiting.shift();
        if (next) next();
        else this.running--;
      }
    });
    this.queued.set(done, this.keep(done, name));
    return done;
  }

  /**
   * Counts work that already runs (outside the queue) until it settles, so
   * `drain` waits for it. When it `follows` a task from `run` (a click's
   * answer after its queued action), it takes that task's place: one piece
   * of work, named once.
   */
  keep(work: Promise<unknown>, name = 'chat work', follows?: Promise<unknown>): Promise<unknown> {
    const settled = work.then(
      () => undefined,
      () => undefined,
    );
    const before = follows && this.queued.get(follows);
    if (before) this.pending.delete(before);
    this.pending.set(settled, name);
    void settled.finally(() => this.pending.delete(settled));
    return settled;
  }

  /** Queued and running work, for logs and tests. */
  get size(): number {
    return this.pending.size;
  }

  /** Names of the work queued, running or kept now. */
  get names(): string[] {
    return [...this.pending.values()];
  }

  /**
   * Resolves once everything queued or kept so far, and anything it queued in
   * turn, has settled, or once `deadlineMs` has passed: then with the names
   * of what had not. Work queued after the deadline does not start.
   */
  async drain(deadlineMs = Number.POSITIVE_INFINITY): Promise<{ left: string[] }> {
    let timer: NodeJS.Timeout | undefined;
    const deadline = new Promise<'late'>((resolve) => {
      if (Number.isFinite(deadlineMs)) timer = setTimeout(() => resolve('late'), deadlineMs);
    });
    try {
      while (this.pending.size) {
        if ((await Promise.race([Promise.all([...this.pending.keys()]), deadline])) === 'late') {
          this.closed = true;
          return { left: this.names };
        }
      }
      return { left: [] };
    } finally {
      clearTimeout(timer);
    }
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
