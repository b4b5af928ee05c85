import { describe, expect, it } from 'vitest';
import { engine, launch } from './harness.js';

describe('a nag schedule that fires twice at once', () => {
  it('sends one nag and counts one', async () => {
    // Arrange
    const e = engine();
    const i = await launch(e);
    const due = (await e.scheduler.get(i))!;
    e.clock.set(due.dueAt);

    // Act: two concurrent firings of the same schedule (EventBridge delivers at least once).
    await Promise.all([e.service.handleNagDue(due), e.service.handleNagDue(due)]);

    // Assert
    expect(e.notifier.sent).toHaveLength(1);
    expect((await e.store.get(i))?.nagCount).toBe(1);
  });

  it('lets a retry of the same schedule send the nag when the first firing could not', async () => {
    const e = engine();
    const i = await launch(e);
    const due = (await e.scheduler.get(i))!;
    e.clock.set(due.dueAt);
    e.notifier.failures = 1;

    await e.service.handleNagDue(due);
    await e.service.handleNagDue(due);

    expect(e.notifier.sent).toHaveLength(1);
    expect((await e.store.get(i))?.nagCount).toBe(1);
  });
});
