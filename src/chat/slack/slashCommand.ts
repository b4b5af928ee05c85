/**
 * `/ec2` in Slack, acknowledged within the answer budget whatever AWS does.
 * The command runs at once; if its answer is ready within CHAT_ACK_BUDGET it
 * is the acknowledgement itself. Otherwise Slack gets a private "Working on
 * it…" and the answer follows through the command's response_url: the
 * single process keeps the same run going, while on Lambda (frozen once it
 * answers) the command is handed to an asynchronous invocation that runs it
 * again. A command that must not run twice (Snooze, Extend, a confirmed
 * workload run) is handed off on Lambda before it starts.
 */
import type { App, RespondArguments } from '@slack/bolt';
import type { WebClient } from '@slack/web-api';
import type { Log } from '../../log.js';
import { inlineBudgetMs, WORKING_ON_IT, withinBudget } from '../core/ackBudget.js';
import type { CommandService } from '../core/commandService.js';
import type { ChatReply } from '../core/replies.js';
import { renderReply, type SlackReply } from './replyBlocks.js';
import { slackActor } from './slackActor.js';
import type { SlackDispatch, SlackUser } from './slackWork.js';

export const SLASH_COMMAND = '/ec2';

/** A slash command to run after its acknowledgement (Lambda hand-off). */
export interface SlackCommandWork {
  kind: 'command';
  text: string;
  channelId: string;
  user: SlackUser;
  /** Where the answer goes once it is ready (valid for 30 minutes, 5 posts). */
  responseUrl: string;
  /** Slack's trigger_id: the idempotency key of Snooze and Extend. */
  requestId: string;
}

export interface SlashCommandDeps {
  commands: CommandService;
  log: Log;
  dispatch: SlackDispatch;
  /** CHAT_ACK_BUDGET: the longest the acknowledgement waits for the answer. */
  ackBudgetMs: number;
  /** True on Lambda: work cannot go on after the answer, so late work is dispatched instead. */
  handsOff: boolean;
  /** The single process: a late answer still on its way is handed here, so shutdown waits for it. */
  keep?: (late: Promise<unknown>, name?: string) => void;
}

/** A rendered reply, or a plain private line (no blocks). */
type Answer = Pick<SlackReply, 'response_type' | 'text'> & { blocks?: SlackReply['blocks'] };

const FAILED: Answer = {
  response_type: 'ephemeral',
  text: 'Lights Out could not answer that just now; the error has been logged. Please try again.',
};

const working = (): Answer => ({ response_type: 'ephemeral', text: WORKING_ON_IT });

export function registerSlashCommand(app: App, deps: SlashCommandDeps): void {
  app.command(SLASH_COMMAND, async ({ command, ack, client, respond }) => {
    const work: SlackCommandWork = {
      kind: 'command',
      text: command.text ?? '',
      channelId: command.channel_id,
      user: { id: command.user_id, name: command.user_name },
      responseUrl: command.response_url,
      requestId: command.trigger_id,
    };
    if (deps.handsOff && !deps.commands.repeatable(work.text)) {
      await ack(working());
      await deps.dispatch(work).catch((err: unknown) => commandFailed(work, deps.log, err, respond));
      return;
    }
    const answer = answerCommand(work, deps, client as WebClient);
    const ready = await withinBudget(answer, inlineBudgetMs(deps.ackBudgetMs, deps.handsOff));
    if (ready) {
      await ack(ready.value);
      return;
    }
    await ack(working());
    if (deps.handsOff) {
      // The run in this invocation is abandoned (it only read); the hand-off runs it again.
      answer.catch(() => undefined);
      await deps.dispatch(work).catch((err: unknown) => commandFailed(work, deps.log, err, respond));
      return;
    }
    const late = answer
      .then((a) => respond(asResponse(a)))
      .catch((err: unknown) =>
        deps.log.error('could not deliver a late slash command answer', { error: String(err) }),
      );
    deps.keep?.(late, `Slack answer to /ec2 ${work.text.slice(0, 60)} by ${work.user.id}`);
    await late;
  });
}

/** Runs the command and renders its answer; never rejects (a failure becomes the apology). */
export async function answerCommand(
  work: SlackCommandWork,
  deps: Pick<SlashCommandDeps, 'commands' | 'log'>,
  client: WebClient,
): Promise<Answer> {
  const ctx = {
    channel: { platform: 'slack' as const, channelId: work.channelId },
    actor: slackActor(client, work.user),
    requestId: work.requestId,
  };
  try {
    const reply: ChatReply = await deps.commands.handleText(work.text, ctx);
    return renderReply(reply);
  } catch (err) {
    deps.log.error('slash command failed', { text: work.text, user: work.user.id, error: String(err) });
    return FAILED;
  }
}

/** Runs a handed-off command and posts its answer to the command's response_url. */
export async function runSlackCommandWork(
  work: SlackCommandWork,
  deps: Pick<SlashCommandDeps, 'commands' | 'log'>,
  client: WebClient,
): Promise<void> {
  const reply = await answerCommand(work, deps, client);
  await postToResponseUrl(work.responseUrl, asResponse(reply));
}

/** A response_url post adds a message (the "Working on it…" stays), public or private as the reply says. */
function asResponse(reply: Answer): RespondArguments {
  return { ...reply, replace_original: false } as RespondArguments;
}

async function postToResponseUrl(url: string, body: RespondArguments): Promise<void> {
  const res = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
  if (!res.ok) throw new Error(`response_url answered ${res.status}`);
}

async function commandFailed(
  work: SlackCommandWork,
  log: Log,
  err: unknown,
  respond: (msg: RespondArguments) => Promise<unknown>,
): Promise<void> {
  log.error('slash command could not be handed on', { user: work.user.id, error: String(err) });
  await respond(asResponse(FAILED)).catch(() => undefined);
}
