/**
 * What the chat core answers to a command or click, as neutral structure.
 * Each platform renders it (Slack: mrkdwn/Block Kit, Teams: Adaptive Card).
 * Text lines may use `code` spans only; renderers add their own emphasis.
 */
import type { NagMessage } from '../../core/message/nagMessage.js';
import type { InstanceRow } from '../../core/runtimeReport.js';

// Rows of the `instances` reply; the App Home shows the same rows.
export type { InstanceRow };

export type ChatReply =
  /** Plain answer: a title and lines (help, subscriptions, confirmations). */
  | { kind: 'text'; visibility: Visibility; title?: string; lines: string[] }
  /** `/ec2 list`: rows sorted by runtime, over-threshold rows marked. */
  | { kind: 'instances'; visibility: Visibility; title: string; rows: InstanceRow[]; empty: string }
  /** A nag-style card for one instance (`status`, `stop` confirmation). */
  | { kind: 'instance'; visibility: Visibility; intro?: string; message: NagMessage }
  /** `mine`: the caller's instances as nag cards with buttons; `more` did not fit. */
  | {
      kind: 'owned';
      visibility: Visibility;
      title: string;
      messages: NagMessage[];
      /** One line above each message (its cost when known), '' for none. */
      intros: string[];
      more: number;
      empty: string;
    }
  /** The request was wrong: what exactly, and the usage that works. */
  | { kind: 'error'; visibility: 'private'; error: string; usage: string[] }
  /** Refused (authorization, stale run, AWS said no), in plain words. */
  | { kind: 'refused'; visibility: 'private'; reason: string };

/** `private`: only the caller sees it; `channel`: everyone in the channel. */
export type Visibility = 'private' | 'channel';

export const textReply = (
  lines: string[],
  title?: string,
  visibility: Visibility = 'private',
): ChatReply => ({
  kind: 'text',
  visibility,
  title,
  lines,
});

export const refusal = (reason: string): ChatReply => ({ kind: 'refused', visibility: 'private', reason });
