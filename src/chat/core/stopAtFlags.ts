/**
 * `stop <instance> --at 19:00` / `--in 2h`: consent to stop the instance at
 * a time instead of now. `--at` is resolved when the command runs, in the
 * person's own time zone (the group's when chat does not say it). Pure: a parse
 * yields the request or names the exact mistake with what works.
 */

import { parseDuration } from '../../core/duration.js';
import { quoted } from '../../core/quote.js';
import { MAX_STOP_AHEAD_SECONDS, MIN_STOP_AHEAD_SECONDS, STOP_TIME_HELP } from '../../core/stopConsent.js';

export type StopAt = { kind: 'at'; hour: number; minute: number } | { kind: 'in'; seconds: number };

export type StopAtParse = { ok: true; stopAt?: StopAt; rest: string[] } | { ok: false; error: string };

const CLOCK_RE = /^([01]?\d|2[0-3]):([0-5]\d)$/;

/** Takes `--at HH:MM` or `--in <duration>` (also `--at=…`) out of `words`; the rest is left for other flags. */
export function parseStopAt(words: string[]): StopAtParse {
  const rest: string[] = [];
  let stopAt: StopAt | undefined;
  for (let i = 0; i < words.length; i++) {
    const m = /^--(at|in)(?:=(.*))?$/i.exec(words[i]!);
    if (!m) {
      rest.push(words[i]!);
      continue;
    }
    const flag = m[1]!.toLowerCase();
    const value = m[2] ?? words[++i];
    if (stopAt) return { ok: false, error: `give one of --at or --in, once; ${STOP_TIME_HELP}` };
    if (!value) return { ok: false, error: `--${flag} needs a value; ${STOP_TIME_HELP}` };
    if (flag === 'at') {
      const clock = CLOCK_RE.exec(value);
      if (!clock)
        return { ok: false, error: `--at ${quoted(value)} is not a 24-hour time; ${STOP_TIME_HELP}` };
      stopAt = { kind: 'at', hour: Number(clock[1]), minute: Number(clock[2]) };
    } else {
      const d = parseDuration(value, {
        minSeconds: MIN_STOP_AHEAD_SECONDS,
        maxSeconds: MAX_STOP_AHEAD_SECONDS,
        bareUnit: 'h',
      });
      if (!d.ok) return { ok: false, error: `--in ${quoted(value)} ${d.reason}; ${STOP_TIME_HELP}` };
      stopAt = { kind: 'in', seconds: d.seconds };
    }
  }
  return { ok: true, stopAt, rest };
}
