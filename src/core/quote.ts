/**
 * How Lights Out repeats bad input back: in quotes, at most about 100
 * characters. A reply that echoed the whole input grew with it (a 4,000-character
 * command gave a Slack section over its 3,000-character limit, a 3.9 MB
 * command a 7.8 MB reply); the first 100 characters say what was wrong.
 */

/** Longest stretch of someone's input a reply or warning repeats. */
export const MAX_QUOTED_CHARS = 100;

/** `"frobnicate"`, or `"aaaa…"` (first 100 characters and an ellipsis) for longer input. */
export function quoted(input: string, max = MAX_QUOTED_CHARS): string {
  const chars = [...input];
  return chars.length > max ? `"${chars.slice(0, max).join('')}…"` : `"${input}"`;
}

/** Shortens every `'…'` or `"…"` span of a finished message (a library's error text) the same way. */
export function clipQuotedSpans(message: string, max = MAX_QUOTED_CHARS): string {
  return message.replace(/(['"])([^'"\n]{101,})\1/g, (_m, q: string, inner: string) => {
    const chars = [...inner];
    return chars.length > max ? `${q}${chars.slice(0, max).join('')}…${q}` : `${q}${inner}${q}`;
  });
}
