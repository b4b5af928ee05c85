/**
 * A group's standing consent to stop its runs once idle, set on a
 * subscription (`subscribe <group> --autostop idle:30m`). Off by default;
 * `--autostop off` withdraws it. Pure.
 */
import { DAY, formatDuration, MINUTE, parseDuration } from './duration.js';
import { quoted } from './quote.js';

/** As stored on a subscription; `off` is kept only long enough to clear a stored setting. */
export type GroupAutoStop = { kind: 'idle'; forSeconds: number } | { kind: 'off' };

/** The idle windows a group may set: as for `--when-idle --for`. */
export const GROUP_IDLE_BOUNDS = { minSeconds: 5 * MINUTE, maxSeconds: DAY, bareUnit: 'm' as const };

export type GroupAutoStopParse = { ok: true; autostop: GroupAutoStop } | { ok: false; reason: string };

/** `idle:30m` or `off`; anything else says what works. */
export function parseGroupAutoStop(raw: string): GroupAutoStopParse {
  const value = raw.trim().toLowerCase();
  if (value === 'off') return { ok: true, autostop: { kind: 'off' } };
  const m = /^idle:(.+)$/.exec(value);
  if (!m)
    return { ok: false, reason: `--autostop ${quoted(raw)}: use idle:<duration> (e.g. idle:30m) or off` };
  const d = parseDuration(m[1]!, GROUP_IDLE_BOUNDS);
  if (!d.ok) return { ok: false, reason: `--autostop idle window ${quoted(m[1]!)} ${d.reason}` };
  return { ok: true, autostop: { kind: 'idle', forSeconds: d.seconds } };
}

/** `idle:30m`, as people write it. */
export function groupAutoStopText(a: GroupAutoStop): string {
  return a.kind === 'off' ? 'off' : `idle:${formatDuration(a.forSeconds).replace(/\s/g, '')}`;
}

/**
 * The idle window a group consents to, from its subscriptions: the longest
 * any channel set (the most cautious), or undefined when none did.
 */
export function groupIdleWindow(subs: readonly { autostop?: GroupAutoStop }[]): number | undefined {
  const windows = subs.flatMap((s) => (s.autostop?.kind === 'idle' ? [s.autostop.forSeconds] : []));
  return windows.length ? Math.max(...windows) : undefined;
}
