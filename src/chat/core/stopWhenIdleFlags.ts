/**
 * `stop <instance> --when-idle [--for 30m]`: consent to stop the instance
 * once it has been idle for the window (IDLE_WINDOW when `--for` is absent).
 * Pure: a parse yields the request or names the exact mistake.
 */
import { parseDuration } from '../../core/duration.js';
import { GROUP_IDLE_BOUNDS } from '../../core/groupAutoStop.js';
import { quoted } from '../../core/quote.js';

/** `forSeconds` absent: the configured default window. */
export interface WhenIdle {
  forSeconds?: number;
}

export type WhenIdleParse = { ok: true; whenIdle?: WhenIdle } | { ok: false; error: string };

/** The words after the instance; none means a plain stop. */
export function parseWhenIdle(words: string[]): WhenIdleParse {
  if (words.length === 0) return { ok: true };
  const [flag, ...rest] = words.map((w, i) => (i === 0 ? w.toLowerCase() : w));
  if (flag !== '--when-idle') {
    return {
      ok: false,
      error: `\`stop\` takes one instance, then optionally --when-idle [--for <duration>]; got ${quoted(words[0]!)}`,
    };
  }
  if (rest.length === 0) return { ok: true, whenIdle: {} };
  const [forFlag, value, ...extra] = rest;
  const inline = forFlag!.toLowerCase().startsWith('--for=') ? forFlag!.slice(6) : undefined;
  if (forFlag!.toLowerCase() !== '--for' && inline === undefined)
    return { ok: false, error: `--when-idle takes only --for <duration>; got ${quoted(forFlag!)}` };
  const raw = inline ?? value;
  if (!raw) return { ok: false, error: '--for needs a duration, e.g. --for 30m' };
  if ((inline === undefined ? extra : [value, ...extra].filter(Boolean)).length)
    return { ok: false, error: '`stop … --when-idle --for <duration>` takes nothing after the duration' };
  const d = parseDuration(raw, GROUP_IDLE_BOUNDS);
  if (!d.ok) return { ok: false, error: `--for ${quoted(raw)} ${d.reason}` };
  return { ok: true, whenIdle: { forSeconds: d.seconds } };
}
