/**
 * Durations as people type them in tags and chat: `12` (hours, as ec2RuntimeMonitor's
 * Threshold tag), `90m`, `1h30m`, `2d`, `45s`.
 * Pure: parsing never throws, it returns a reason instead.
 */

export const SECOND = 1;
export const MINUTE = 60;
export const HOUR = 3600;
export const DAY = 86_400;

const UNIT_SECONDS: Record<string, number> = { d: DAY, h: HOUR, m: MINUTE, s: SECOND };
const DURATION_RE = /^(?:(\d+)d)?(?:(\d+)h)?(?:(\d+)m)?(?:(\d+)s)?$/;

export type DurationParse = { ok: true; seconds: number } | { ok: false; reason: string };

export interface DurationBounds {
  minSeconds?: number;
  maxSeconds?: number;
  /** Unit for a bare number; the Threshold tag uses hours. */
  bareUnit?: 'h' | 'm' | 's';
}

/** Parses `12`, `90m`, `1h30m`, `2d`; whitespace and case are ignored. */
export function parseDuration(input: string, bounds: DurationBounds = {}): DurationParse {
  const raw = input.trim().toLowerCase().replace(/\s+/g, '');
  if (raw === '') return { ok: false, reason: 'is empty' };
  let seconds: number;
  if (/^\d+$/.test(raw)) {
    seconds = Number(raw) * (UNIT_SECONDS[bounds.bareUnit ?? 'h'] ?? HOUR);
  } else {
    const m = DURATION_RE.exec(raw);
    if (!m || m.slice(1).every((g) => g === undefined)) {
      return { ok: false, reason: 'is not a duration (examples: 12, 90m, 1h30m, 2d)' };
    }
    const [, d, h, mi, s] = m;
    seconds = Number(d ?? 0) * DAY + Number(h ?? 0) * HOUR + Number(mi ?? 0) * MINUTE + Number(s ?? 0);
  }
  if (!Number.isSafeInteger(seconds)) return { ok: false, reason: 'is too large' };
  if (bounds.minSeconds !== undefined && seconds < bounds.minSeconds) {
    return { ok: false, reason: `is shorter than the minimum of ${formatDuration(bounds.minSeconds)}` };
  }
  if (bounds.maxSeconds !== undefined && seconds > bounds.maxSeconds) {
    return { ok: false, reason: `is longer than the maximum of ${formatDuration(bounds.maxSeconds)}` };
  }
  return { ok: true, seconds };
}

/**
 * The one way durations are shown, in chat, the CLI, logs and errors: the two
 * largest units, the second padded so columns line up. `45s`, `1m`, `1m 30s`,
 * `2h`, `2h 01m`, `1d`, `3d 4h`. parseDuration accepts every form.
 */
export function formatDuration(totalSeconds: number): string {
  const s = Math.max(0, Math.floor(totalSeconds));
  const d = Math.floor(s / DAY);
  const h = Math.floor((s % DAY) / HOUR);
  const m = Math.floor((s % HOUR) / MINUTE);
  const sec = s % MINUTE;
  const two = (n: number) => String(n).padStart(2, '0');
  if (d) return h ? `${d}d ${h}h` : `${d}d`;
  if (h) return m ? `${h}h ${two(m)}m` : `${h}h`;
  if (m) return sec ? `${m}m ${two(sec)}s` : `${m}m`;
  return sec ? `${sec}s` : '0m';
}
