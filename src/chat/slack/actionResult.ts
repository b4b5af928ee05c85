/**
 * Shows an action's result in Slack: the clicked message is rewritten (unless
 * the chat core already did so through the run's stored refs) and the clicker
 * gets the notice privately. Shared by button clicks and modal submissions.
 */
import type { WebClient } from '@slack/web-api';
import type { ActionResult } from '../core/actionPipeline.js';
import { nagBlocks, nagText } from './blockKit.js';
import { esc } from './mrkdwn.js';
import { clampMessage } from './slackLimits.js';

export interface ClickedMessage {
  channelId: string;
  messageTs?: string;
  /** Ephemeral messages cannot be edited with chat.update; they are replaced through response_url. */
  replace?: (rendered: { text: string; blocks: unknown[] }) => Promise<unknown>;
  /** The clicked message is a warning reply in the nag's thread: once acted on, it says what was done. */
  warningReply?: boolean;
}

export async function showActionResult(
  client: WebClient,
  result: ActionResult,
  where: ClickedMessage,
  userId: string,
): Promise<void> {
  if (result.status === 'duplicate') return;
  const alreadyUpdated = result.updatedRefs.some(
    (r) => r.channelId === where.channelId && r.messageId === where.messageTs,
  );
  const rewrite = async () => {
    if (!result.message || alreadyUpdated) return;
    if (where.warningReply) {
      // The reply keeps its place in the thread but loses its buttons: "Scheduled stop cancelled by @bo".
      if (result.status !== 'done' || !where.messageTs) return;
      await client.chat.update({
        channel: where.channelId,
        ts: where.messageTs,
        ...clampMessage({ text: esc(result.notice), blocks: [] }),
      });
      return;
    }
    const rendered = clampMessage({ text: nagText(result.message), blocks: nagBlocks(result.message) });
    if (where.replace) await where.replace(rendered);
    else if (where.messageTs)
      await client.chat.update({ channel: where.channelId, ts: where.messageTs, ...rendered });
  };
  await Promise.all([
    rewrite(),
    client.chat.postEphemeral({
      channel: where.channelId,
      user: userId,
      ...clampMessage({ text: esc(result.notice) }),
    }),
  ]);
}

/** Replaces an ephemeral message through its response_url (what Bolt's respond() does). */
export function replaceViaResponseUrl(responseUrl: string) {
  return async (rendered: { text: string; blocks: unknown[] }) => {
    const res = await fetch(responseUrl, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ replace_original: true, ...rendered }),
    });
    if (!res.ok) throw new Error(`response_url answered ${res.status}`);
  };
}
