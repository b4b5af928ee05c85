/**
 * "Snooze until a time…": a modal with Slack's time picker, for snoozes the
 * fixed menu does not offer. The time is read in the clicker's own time zone,
 * like `/ec2 snooze <instance> until HH:MM`. The run token and the clicked
 * message travel in `private_metadata`, so the submission acts on the run the
 * button was made for and can rewrite that message.
 */
import type { App, types } from '@slack/bolt';
import type { WebClient } from '@slack/web-api';
import { decodeRunToken } from '../../core/message/runToken.js';
import { esc } from './blockKit.js';
import type { SlackListenerDeps } from './listeners.js';
import { clampView } from './slackLimits.js';
import { reportSlackWorkFailure, type SlackSnoozeAt } from './slackWork.js';

export const SNOOZE_MODAL_ID = 'lightsout.snooze-until';
const BLOCK = 'until';
const ACTION_ID = 'time';

export interface SnoozeModalContext {
  token: string;
  channelId: string;
  messageTs?: string;
  /** The clicked message was ephemeral: it can only be replaced through response_url. */
  responseUrl?: string;
  label: string;
}

export function snoozeModal(ctx: SnoozeModalContext): types.ModalView {
  return clampView({
    type: 'modal',
    callback_id: SNOOZE_MODAL_ID,
    private_metadata: JSON.stringify(ctx),
    title: { type: 'plain_text', text: 'Snooze until…' },
    submit: { type: 'plain_text', text: 'Snooze' },
    close: { type: 'plain_text', text: 'Cancel' },
    blocks: [
      { type: 'section', text: { type: 'mrkdwn', text: `No reminders about *${esc(ctx.label)}* until:` } },
      {
        type: 'input',
        block_id: BLOCK,
        label: { type: 'plain_text', text: 'Time (your time zone; the next time it comes round)' },
        element: { type: 'timepicker', action_id: ACTION_ID, initial_time: '18:00' },
      },
    ],
  });
}

export type SnoozeSubmission =
  | { ok: true; ctx: SnoozeModalContext; hour: number; minute: number }
  | { ok: false; error: string };

/** Reads a submitted modal; errors name what is wrong, for Slack to show on the field. */
export function readSnoozeSubmission(view: {
  private_metadata?: string;
  state?: { values?: Record<string, Record<string, { selected_time?: string | null }>> };
}): SnoozeSubmission {
  let ctx: SnoozeModalContext;
  try {
    ctx = JSON.parse(view.private_metadata ?? '') as SnoozeModalContext;
  } catch {
    return { ok: false, error: 'This form lost track of its instance; open it again from the message.' };
  }
  const time = view.state?.values?.[BLOCK]?.[ACTION_ID]?.selected_time ?? '';
  const m = /^([01]\d|2[0-3]):([0-5]\d)$/.exec(time);
  if (!m) return { ok: false, error: 'Pick a time such as 18:00.' };
  return { ok: true, ctx, hour: Number(m[1]), minute: Number(m[2]) };
}

/** The modal's submission: closes it (or shows the field error), then snoozes through the chat core. */
export function registerSnoozeModal(
  app: App,
  deps: Pick<SlackListenerDeps, 'dispatch' | 'log' | 'clock'>,
): void {
  app.view(SNOOZE_MODAL_ID, async ({ ack, view, body, client }) => {
    const submission = readSnoozeSubmission(view);
    const target = submission.ok ? decodeRunToken(submission.ctx.token) : undefined;
    if (!submission.ok || !target) {
      const error = submission.ok
        ? 'This form lost track of its instance; open it again from the message.'
        : submission.error;
      await ack({ response_action: 'errors', errors: { [BLOCK]: error } });
      return;
    }
    await ack();
    const { ctx } = submission;
    const work: SlackSnoozeAt = {
      kind: 'snoozeAt',
      hour: submission.hour,
      minute: submission.minute,
      token: ctx.token,
      channelId: ctx.channelId,
      messageTs: ctx.messageTs,
      responseUrl: ctx.responseUrl,
      user: { id: body.user.id, name: body.user.name },
      requestId: `${view.id}:${view.hash}`,
      acknowledgedAt: deps.clock().getTime(),
    };
    await deps
      .dispatch(work)
      .catch((err: unknown) => reportSlackWorkFailure(client as WebClient, work, deps.log, err));
  });
}
