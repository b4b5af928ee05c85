import { describe, expect, it } from 'vitest';
import { DAY, HOUR } from '../../src/core/duration.js';
import { extendRun } from '../../src/core/extensionCap.js';

const run = { launchTime: '2026-03-02T08:00:00.000Z', thresholdSeconds: 12 * HOUR, extensionSeconds: 0 };

describe('extendRun', () => {
  it('adds to the run’s extension while the total stays within the cap', () => {
    expect(extendRun(run, 8 * HOUR, new Date('2026-03-02T09:00:00Z'), DAY)).toEqual({
      ok: true,
      extensionSeconds: 8 * HOUR,
    });
  });

  it('counts from now when the run is over its threshold, and that time uses up the cap too', () => {
    const now = new Date('2026-03-02T22:00:00Z'); // 2h over
    expect(extendRun(run, 20 * HOUR, now, DAY)).toMatchObject({ ok: true, extensionSeconds: 22 * HOUR });
    expect(extendRun(run, 23 * HOUR, now, DAY)).toMatchObject({ ok: false, leftSeconds: 22 * HOUR });
  });

  it('refuses with the cap and what is left, or that nothing is left', () => {
    const extended = { ...run, extensionSeconds: DAY - 2 * HOUR };
    const now = new Date('2026-03-02T09:00:00Z');

    const some = extendRun(extended, 4 * HOUR, now, DAY);
    const none = extendRun({ ...run, extensionSeconds: DAY }, 2 * HOUR, now, DAY);

    expect(some).toMatchObject({ ok: false, leftSeconds: 2 * HOUR });
    expect(some.ok ? '' : some.reason).toContain(
      'extended by 1d in total (MAX_EXTENSION), and at most 2h more',
    );
    expect(none.ok ? '' : none.reason).toContain('and nothing more can be added');
  });
});
