/**
 * One deadline for the whole shutdown: each wait gets only the time left, and
 * what did not settle in time is named for the one warning.
 */
import { describe, expect, it } from 'vitest';
import { ShutdownDeadline } from '../../src/local/shutdownDeadline.js';

const never = () => new Promise<void>(() => undefined);

describe('ShutdownDeadline', () => {
  it('passes work that settles in time and names none', async () => {
    // Arrange
    const deadline = new ShutdownDeadline(60_000);

    // Act
    const sweep = await deadline.wait('reconcile sweep', Promise.resolve());
    const nothing = await deadline.wait('weekly digest', undefined);

    // Assert
    expect([sweep, nothing]).toEqual([true, true]);
    expect(deadline.left).toEqual([]);
  });

  it('gives later waits only the time left, naming each that ran out, with what another wait left', async () => {
    // Arrange: the deadline is used up by the first hung wait.
    const deadline = new ShutdownDeadline(20);

    // Act
    const sweep = await deadline.wait('reconcile sweep', never());
    const digest = await deadline.wait('weekly digest', never());
    deadline.leave(['Slack stop click on i-1 by U1']);

    // Assert
    expect([sweep, digest]).toEqual([false, false]);
    expect(deadline.remainingMs).toBe(0);
    expect(deadline.left).toEqual(['reconcile sweep', 'weekly digest', 'Slack stop click on i-1 by U1']);
  });

  it('passes on a failure that comes in time, as an unbounded wait would', async () => {
    // Arrange
    const deadline = new ShutdownDeadline(60_000);

    // Act
    const waited = deadline.wait('outbox delivery', Promise.reject(new Error('disk full')));

    // Assert
    await expect(waited).rejects.toThrow('disk full');
    expect(deadline.left).toEqual([]);
  });
});
