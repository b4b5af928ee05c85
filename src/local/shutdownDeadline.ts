/**
 * One deadline for the whole shutdown of the single process, taken when the
 * signal arrives (SHUTDOWN_DRAIN_DEADLINE): every wait (the sweep, the digest,
 * the outbox, chat work, the schedulers) gets only the time left, so a hung
 * AWS call anywhere cannot hold the process past its supervisor's grace.
 * What did not settle in time is remembered by name for one warning.
 *
 *   const deadline = new ShutdownDeadline(25_000);
 *   await deadline.wait('reconcile sweep', running);
 *   const { left } = await late.drain(deadline.remainingMs);
 *   deadline.leave(left);
 *   if (deadline.left.length) log.warn('shutdown deadline passed; work left undone', { left: deadline.left });
 */
export class ShutdownDeadline {
  private readonly at: number;
  /** Names of the work still running when its wait ran out of time. */
  readonly left: string[] = [];

  // Wall time, not the process's Clock: the supervisor's grace is counted in real seconds.
  constructor(
    readonly ms: number,
    private readonly now: () => number = Date.now,
  ) {
    this.at = now() + ms;
  }

  get remainingMs(): number {
    return Math.max(0, this.at - this.now());
  }

  /**
   * Waits for `work` until the deadline; true when it settled in time. A
   * rejection is passed on, as an unbounded await would. Work left behind
   * runs on unwatched (the process is about to exit).
   */
  async wait(name: string, work: Promise<unknown> | undefined): Promise<boolean> {
    if (!work) return true;
    let timer: NodeJS.Timeout | undefined;
    const late = new Promise<'late'>((resolve) => {
      timer = setTimeout(() => resolve('late'), this.remainingMs);
    });
    try {
      if ((await Promise.race([work.then(() => 'done' as const), late])) === 'done') return true;
      // A rejection after the deadline has nobody to tell; it must not end the process unhandled.
      work.catch(() => undefined);
      this.left.push(name);
      return false;
    } finally {
      clearTimeout(timer);
    }
  }

  /** Adds work another wait found unfinished (the chat drain names its own). */
  leave(names: string[]): void {
    this.left.push(...names);
  }
}
