/**
 * Teams refuses a message whose payload is over about 28 KB, and a card that
 * is never delivered is worse than a shortened one. Every card passes through
 * `clampCard` and every text message through `clampMessageText` before it is
 * sent: long text is cut visibly ("… (truncated)"), and when the card is
 * still too large, trailing rows give way to one line that says so.
 */
import type { AdaptiveCard, CardElement } from './nagCard.js';

/** Bytes for the card itself, leaving room for the activity around it within Teams' 28 KB. */
export const MAX_CARD_BYTES = 26_000;
/** Characters of one TextBlock or fact before it is cut at all. */
export const MAX_BLOCK_CHARS = 2_000;
/** Characters of a text message. */
export const MAX_MESSAGE_CHARS = 20_000;
export const TRUNCATED = '… (truncated)';

const bytes = (card: AdaptiveCard) => Buffer.byteLength(JSON.stringify(card), 'utf8');

/** `text` cut to `max` characters with a visible marker; never ends in a lone escaping backslash. */
export function clampMarkdown(text: string, max: number): string {
  if (text.length <= max) return text;
  const cut = text
    .slice(0, Math.max(0, max - TRUNCATED.length))
    .replace(/\\+$/, (m) => m.slice(0, m.length - (m.length % 2)));
  return `${cut}${TRUNCATED}`;
}

export function clampMessageText(text: string): string {
  return clampMarkdown(text, MAX_MESSAGE_CHARS);
}

/** Every TextBlock text and FactSet value in the card, with a setter, longest first. */
function textSlots(node: unknown, out: { get(): string; set(v: string): void }[] = []) {
  if (Array.isArray(node)) for (const x of node) textSlots(x, out);
  else if (node && typeof node === 'object') {
    const o = node as CardElement;
    if (o.type === 'TextBlock' && typeof o.text === 'string') {
      out.push({ get: () => o.text as string, set: (v) => (o.text = v) });
    }
    if (o.type === 'FactSet' && Array.isArray(o.facts)) {
      for (const f of o.facts as { value: string }[])
        out.push({ get: () => f.value, set: (v) => (f.value = v) });
    }
    for (const x of Object.values(o)) if (typeof x === 'object') textSlots(x, out);
  }
  return out;
}

/** Elements that carry controls stay; rows and notes can go. */
const removable = (e: CardElement) => e.type === 'TextBlock' || (e.type === 'Container' && !e.id);

/** The card within Teams' size limit; it is copied, never changed in place. */
export function clampCard(card: AdaptiveCard): AdaptiveCard {
  const out = structuredClone(card);
  const slots = textSlots(out.body);
  const originals = slots.map((s) => s.get());
  // Shorter caps for every text first, so one huge value does not cost other rows their place.
  for (const cap of [MAX_BLOCK_CHARS, 1_000, 500, 200]) {
    slots.forEach((s, i) => {
      s.set(clampMarkdown(originals[i]!, cap));
    });
    if (bytes(out) <= MAX_CARD_BYTES) return out;
  }
  // Still too large: trailing rows and notes give way (controls stay), then one line says so.
  const note: CardElement = { type: 'TextBlock', text: '', wrap: true, isSubtle: true };
  let total = bytes(out) + 200;
  let dropped = 0;
  for (let i = out.body.length - 1; i > 0 && total > MAX_CARD_BYTES; i--) {
    const element = out.body[i]!;
    if (!removable(element)) continue;
    total -= Buffer.byteLength(JSON.stringify(element), 'utf8') + 1;
    out.body.splice(i, 1);
    dropped++;
  }
  note.text = dropped ? `${TRUNCATED}: ${dropped} more not shown` : TRUNCATED;
  out.body.push(note);
  return out;
}
