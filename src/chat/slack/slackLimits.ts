/**
 * Slack rejects a whole message when one part is over its limit
 * (`invalid_blocks`, `msg_too_long`), and a nag that is never delivered is
 * worse than a shortened one. Every payload passes through `clampMessage` or
 * `clampView` before it is sent: text is cut visibly ("… (truncated)"),
 * surplus blocks are replaced by one line that says so.
 */
import type { SlackBlock } from './blockKit.js';

/** Slack's documented limits (Block Kit reference, chat.postMessage). */
export const SLACK_LIMITS = {
  text: 40_000,
  sectionText: 3_000,
  field: 2_000,
  fields: 10,
  contextText: 2_000,
  contextElements: 10,
  header: 150,
  id: 255,
  confirmTitle: 100,
  confirmText: 300,
  messageBlocks: 50,
  viewBlocks: 100,
} as const;

export const TRUNCATED = '… (truncated)';

/**
 * `text` cut to `max` characters with a visible marker. The cut never splits a
 * `<…>` link or mention or an `&amp;` entity, which would show as raw markup.
 */
export function clampMrkdwn(text: string, max: number): string {
  if (text.length <= max) return text;
  let cut = text.slice(0, Math.max(0, max - TRUNCATED.length));
  const open = cut.lastIndexOf('<');
  if (open > cut.lastIndexOf('>')) cut = cut.slice(0, open);
  cut = cut.replace(/&[a-z]*$/, '');
  return `${cut}${TRUNCATED}`;
}

type TextObject = { type: string; text: string };
type Loose = Record<string, unknown>;

function clampTextObject(t: unknown, max: number): unknown {
  const obj = t as TextObject | undefined;
  if (!obj || typeof obj.text !== 'string') return t;
  return { ...obj, text: clampMrkdwn(obj.text, max) };
}

function clampElement(e: Loose): Loose {
  const out: Loose = { ...e };
  if (typeof out.action_id === 'string' && out.action_id.length > SLACK_LIMITS.id) delete out.action_id;
  const confirm = out.confirm as Loose | undefined;
  if (confirm) {
    out.confirm = {
      ...confirm,
      title: clampTextObject(confirm.title, SLACK_LIMITS.confirmTitle),
      text: clampTextObject(confirm.text, SLACK_LIMITS.confirmText),
    };
  }
  return out;
}

function clampBlock(block: SlackBlock): SlackBlock {
  const b: Loose = { ...(block as unknown as Loose) };
  // A block_id over 255 characters fails the post; without one the block still shows.
  if (typeof b.block_id === 'string' && b.block_id.length > SLACK_LIMITS.id) delete b.block_id;
  if (b.type === 'section') {
    if (b.text) b.text = clampTextObject(b.text, SLACK_LIMITS.sectionText);
    if (Array.isArray(b.fields)) {
      b.fields = b.fields.slice(0, SLACK_LIMITS.fields).map((f) => clampTextObject(f, SLACK_LIMITS.field));
    }
  } else if (b.type === 'header') {
    b.text = clampTextObject(b.text, SLACK_LIMITS.header);
  } else if (b.type === 'context' && Array.isArray(b.elements)) {
    b.elements = b.elements
      .slice(0, SLACK_LIMITS.contextElements)
      .map((e) => clampTextObject(e, SLACK_LIMITS.contextText));
  } else if (b.type === 'actions' && Array.isArray(b.elements)) {
    b.elements = b.elements.map((e) => clampElement(e as Loose));
  }
  return b as unknown as SlackBlock;
}

/** At most `max` blocks; what does not fit is replaced by one line saying how many were left out. */
export function clampBlocks(blocks: SlackBlock[], max: number): SlackBlock[] {
  const clamped = blocks.map(clampBlock);
  if (clamped.length <= max) return clamped;
  const kept = clamped.slice(0, max - 1);
  const note = `${TRUNCATED}: ${clamped.length - kept.length} more blocks not shown`;
  return [...kept, { type: 'context', elements: [{ type: 'mrkdwn', text: note }] }];
}

/** A message (chat.postMessage, chat.update, postEphemeral, a command's answer) within Slack's limits. */
export function clampMessage<T extends { text?: string; blocks?: SlackBlock[] }>(message: T): T {
  return {
    ...message,
    ...(message.text !== undefined ? { text: clampMrkdwn(message.text, SLACK_LIMITS.text) } : {}),
    ...(message.blocks ? { blocks: clampBlocks(message.blocks, SLACK_LIMITS.messageBlocks) } : {}),
  };
}

/** A modal or App Home view within Slack's limits (100 blocks). */
export function clampView<T extends { blocks: SlackBlock[] }>(view: T): T {
  return { ...view, blocks: clampBlocks(view.blocks, SLACK_LIMITS.viewBlocks) };
}
