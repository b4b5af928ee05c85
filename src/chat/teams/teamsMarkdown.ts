/**
 * The one place Teams markup is made. Adaptive Card TextBlocks and FactSet
 * values, and Teams message text, are markdown: a Name tag such as
 * `[log in](https://evil.example)` would otherwise become a link, `<…>` an
 * autolink or HTML, and `**`/`_`/`#` restyle the card. Every value that came
 * from AWS or from a person passes through one of these before it reaches a
 * card or a message.
 *
 * Escaping is CommonMark's backslash. Parentheses, `!` and `|` stay as they
 * are: without a `[…]` before them they make no link or image, and escaping
 * them would only clutter ids such as `web-1 (i-0abc)`.
 */

const INLINE = /[\\`*_~[\]<>]/g;
// Lists, headings and quotes only start at the beginning of a line.
const LINE_START = /^(\s*)([-+#>]|\d+[.)])/gm;

function escapeMarkdown(s: string): string {
  return s.replace(INLINE, '\\$&').replace(LINE_START, '$1\\$2');
}

/**
 * Neutral text → safe Adaptive Card markdown (TextBlock text, FactSet value).
 * Card markdown has no code spans, so the chat core's `code` marks become quotes.
 */
export function cardMarkdown(s: string): string {
  return escapeMarkdown(s.replace(/`([^`\n]+)`/g, '"$1"'));
}

/**
 * Neutral text → safe Teams message text. Messages do have code spans, so the
 * chat core's `code` marks stay (their content is literal); the rest is escaped.
 */
export function messageMarkdown(s: string): string {
  return s
    .split(/(`[^`\n]+`)/)
    .map((part, i) => (i % 2 === 1 ? part : escapeMarkdown(part)))
    .join('');
}
