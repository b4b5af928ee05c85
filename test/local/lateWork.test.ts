/**
 * The single process's queue for work after an answer: a burst of clicks runs
 * a few at a time (the acknowledgements go first), and shutdown waits for
 * everything queued, running or kept.
 */
import { describe, expect, it } from 'vitest';
import { LateWork } from '../../src/local/lateWork.js';

/** A promise the test settles by hand. */
function gate() {
  let open!: () => void;
  let fail!: (err: Error) => void;
  const promise = new Promise<void>((resolve, reject) => {
    open = resolve;
    fail = reject;
  });
  return { promise, open, fail };
}

const turns = () => new Promise((r) => setImmediate(r));

describe('LateWork', () => {
  it('runs at most `limit` tasks at once and starts the next as one finishes, in order', async () => {
    // Arrange
    const late = new LateWork(2);
    const gates = [gate(), gate(), gate(), gate()];
    const started: number[] = [];
    let running = 0;
    let most = 0;

    // Act
    const results = gates.map((g, i) =>
      late.run(async () => {
        started.push(i);
        most = Math.max(most, ++running);
        await g.promise;
        running--;
        return i;
      }),
    );
    await turns();
    const startedAtFirst = [...started];
    gates[1]!.open();
    await turns();
    const startedAfterOne = [...started];
    for (const g of gates) g.open();

    // Assert
    expect(await Promise.all(results)).toEqual([0, 1, 2, 3]);
    expect(startedAtFirst).toEqual([0, 1]);
    expect(startedAfterOne).toEqual([0, 1, 2]);
    expect(most).toBe(2);
  });

  it('hands a task its own failure and keeps going with the rest', async () => {
    // Arrange
    const late = new LateWork(1);

    // Act
    const failed = late.run(async () => {
      throw new Error('EC2 said no');
    });
    const next = late.run(async () => 'next ran');

    // Assert
    await expect(failed).rejects.toThrow('EC2 said no');
    expect(await next).toBe('next ran');
  });

  it('drains only once queued, running and kept work has settled, failures included', async () => {
    // Arrange
    const late = new LateWork(1);
    const running = gate();
    const kept = gate();
    let queuedRan = false;
    void late.run(() => running.promise);
    void late
      .run(async () => {
        queuedRan = true;
      })
      .catch(() => undefined);
    late.keep(kept.promise);
    let drained = false;

    // Act
    const draining = late.drain().then(() => {
      drained = true;
    });
    await turns();
    const drainedWhileBusy = drained;
    running.open();
    await turns();
    const drainedBeforeKept = drained;
    kept.fail(new Error('the late answer failed'));
    await draining;

    // Assert
    expect(drainedWhileBusy).toBe(false);
    expect(drainedBeforeKept).toBe(false);
    expect(queuedRan).toBe(true);
    expect(late.size).toBe(0);
  });

  it('stops waiting at the deadline, names what is left, and never starts what was still queued', async () => {
    // Arrange: one click running on a call that never answers, one queued behind it, one answer kept.
    const late = new LateWork(1);
    const hung = gate();
    let queuedRan = false;
    void late.run(() => hung.promise, 'Slack stop click on i-1 by U1');
    const queued = late.run(async () => {
      queuedRan = true;
    }, 'Teams stop click on i-2 by Ana');
    late.keep(gate().promise, 'Slack answer to /ec2 list by U2');

    // Act
    const { left } = await late.drain(20);
    hung.open();

    // Assert
    expect(left).toEqual([
      'Slack stop click on i-1 by U1',
      'Teams stop click on i-2 by Ana',
      'Slack answer to /ec2 list by U2',
    ]);
    await expect(queued).rejects.toThrow("shutdown's deadline passed");
    expect(queuedRan).toBe(false);
  });

  it('counts work that follows a queued task as that task, named once, and still waits for the follower', async () => {
    // Arrange: a Teams click's queued action, then its card update kept after the acknowledgement.
    const late = new LateWork(1);
    const action = gate();
    const cardUpdate = gate();
    const name = 'Teams stop click on i-1 by Ana';
    const done = late.run(() => action.promise, name);
    late.keep(
      done.then(() => cardUpdate.promise),
      name,
      done,
    );

    // Act: shutdown's deadline passes while the action still runs.
    const { left } = await late.drain(20);
    action.open();
    await done;
    const waitsForFollower = late.size;
    cardUpdate.open();

    // Assert: one click, one name; after the action the card update is still waited for.
    expect(left).toEqual([name]);
    expect(waitsForFollower).toBe(1);
  });
});
