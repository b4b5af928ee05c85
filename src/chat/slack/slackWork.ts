/**
 * What a Slack click asks for, as plain data, and how it is carried out after
 * Slack has its answer. Listeners acknowledge first and hand a `SlackWork` to
 * `dispatch`: the single process runs it right away; on Lambda it travels to
 * an asynchronous invocation of the same function (the one answering is
 * frozen once it answers). Either way `runSlackWork` does it.
 *
 * A click that fails because AWS is throttling, failing or hanging is tried
 * again until `deadlineMs` has passed (`untilAwsAnswers`, the rule Teams
 * clicks share): the person already has their answer, and the message is
 * rewritten once AWS recovers.
 */
import type { WebClient } from '@slack/web-api';
import { decodeRunToken } from '../../core/message/runToken.js';
import type { Sleep } from '../../core/retry.js';
import { isValidTimeZone } from '../../core/when.js';
import type { Log } from '../../log.js';
import type { Clock } from '../../ports/clock.js';
import type { ActionKind, ActionPipeline } from '../core/actionPipeline.js';
import { untilAwsAnswers } from '../core/actionRetry.js';
import type { CommandService } from '../core/commandService.js';
import { nextWallTime } from '../core/zonedTime.js';
import { type ClickedMessage, replaceViaResponseUrl, showActionResult } from './actionResult.js';
import { slackActor } from './slackActor.js';
import { runSlackCommandWork, type SlackCommandWork } from './slashCommand.js';

export interface SlackUser {
  id: string;
  name?: string;
  username?: string;
}

interface WorkBase {
  /** The run token of the clicked message (its actions block id). */
  token: string;
  channelId: string;
  messageTs?: string;
  /** Set when the message can only be replaced through response_url (ephemeral, or no ts). */
  responseUrl?: string;
  user: SlackUser;
  /** Unique per click or submission; the idempotency key of the work. */
  requestId: string;
  /** Epoch ms the click was acknowledged: CHAT_ACTION_DEADLINE counts from here, not from its queue slot. */
  acknowledgedAt?: number;
}

/** Stop, Snooze (menu) or Extend pressed on a nag. */
export interface SlackClick extends WorkBase {
  kind: 'click';
  action: ActionKind;
  choice?: string;
  /** Cancel or +1h pressed under a warning reply: that reply, not a nag, is the clicked message. */
  warningReply?: boolean;
}

/** The "Snooze until a time…" modal submitted, with the picked wall time. */
export interface SlackSnoozeAt extends WorkBase {
  kind: 'snoozeAt';
  hour: number;
  minute: number;
}

export type SlackWork = SlackClick | SlackSnoozeAt | SlackCommandWork;

/** Hands work on once the request is acknowledged. */
export type SlackDispatch = (work: SlackWork) => Promise<void>;

export interface SlackWorkDeps {
  actions: ActionPipeline;
  /** Runs handed-off slash commands. */
  commands: CommandService;
  client: WebClient;
  clock: Clock;
  log: Log;
  /** How long a click keeps trying while AWS fails (CHAT_ACTION_DEADLINE). */
  deadlineMs: number;
  /** The longest one try can take (`worstCaseTryMs`). */
  tryBudgetMs?: number;
  sleep?: Sleep;
}

/** Carries out `work` and shows its result: the message rewritten, the notice to the clicker. */
export async function runSlackWork(work: SlackWork, deps: SlackWorkDeps): Promise<void> {
  if (work.kind === 'command') return runSlackCommandWork(work, deps, deps.client);
  return runClick(work, deps);
}

async function runClick(work: SlackClick | SlackSnoozeAt, deps: SlackWorkDeps): Promise<void> {
  const { client, log } = deps;
  const target = decodeRunToken(work.token);
  if (!target) {
    log.warn('dropped Slack work with an unreadable run token', { requestId: work.requestId });
    return;
  }
  const actor = slackActor(client, work.user);
  const result = await untilAwsAnswers(
    'Slack',
    work.requestId,
    async (requestId) => {
      const ctx = { channel: { platform: 'slack' as const, channelId: work.channelId }, actor, requestId };
      return work.kind === 'click'
        ? deps.actions.handle({ action: work.action, target, choice: work.choice, ctx })
        : deps.actions.handle({ action: 'snooze', target, snoozeUntil: await snoozeAt(work, deps), ctx });
    },
    deps,
    work.acknowledgedAt,
  );
  const where: ClickedMessage = {
    channelId: work.channelId,
    messageTs: work.messageTs,
    replace: work.responseUrl ? replaceViaResponseUrl(work.responseUrl) : undefined,
    ...(work.kind === 'click' && work.warningReply ? { warningReply: true } : {}),
  };
  await showActionResult(client, result, where, work.user.id);
}

/** The next time the picked wall time comes round in the clicker's own time zone. */
async function snoozeAt(work: SlackSnoozeAt, deps: SlackWorkDeps): Promise<Date> {
  const zone = await slackActor(deps.client, work.user).timeZone?.();
  return nextWallTime(deps.clock(), work.hour, work.minute, isValidTimeZone(zone) ? zone : 'UTC');
}

/**
 * Reports work that could not be carried out at all (not a refusal: a bug, or
 * Slack unreachable) to the clicker, so a click never ends in silence.
 */
export async function reportSlackWorkFailure(client: WebClient, work: SlackWork, log: Log, err: unknown) {
  log.error('Slack action failed', { requestId: work.requestId, user: work.user.id, error: String(err) });
  await client.chat
    .postEphemeral({
      channel: work.channelId,
      user: work.user.id,
      text: 'Lights Out could not complete that action; the error has been logged. The buttons still work.',
    })
    .catch(() => undefined);
}
