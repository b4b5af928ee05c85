/**
 * Bolt listeners: parse Slack input into chat-core calls and render the
 * results. No business logic lives here (Bolt's own rule: receivers and
 * listeners are transport).
 *
 * A click is acknowledged before anything else and its work handed to
 * `dispatch` (see `slackWork.ts`): Slack shows an error after 3 s, and the
 * work waits on AWS, which may be throttling or hung. A slash command is
 * answered within the budget the same way (`slashCommand.ts`).
 */
import type { App, BlockAction, ButtonAction, StaticSelectAction, TimepickerAction } from '@slack/bolt';
import type { WebClient } from '@slack/web-api';
import { decodeRunToken } from '../../core/message/runToken.js';
import type { Log } from '../../log.js';
import type { Clock } from '../../ports/clock.js';
import type { InstanceStore } from '../../ports/instanceStore.js';
import type { SubscriptionStore } from '../../ports/subscriptionStore.js';
import { type ActionKind, type ActionPipeline, HIBERNATE_CHOICE } from '../core/actionPipeline.js';
import type { CommandService } from '../core/commandService.js';
import { ACTION, SNOOZE_CUSTOM, WARNING_REPLY } from './blockKit.js';
import { buildHomeView } from './homeView.js';
import { reportSlackWorkFailure, type SlackClick, type SlackDispatch } from './slackWork.js';
import { registerSlashCommand } from './slashCommand.js';
import { registerSnoozeModal, snoozeModal } from './snoozeModal.js';

export interface SlackListenerDeps {
  commands: CommandService;
  actions: ActionPipeline;
  subscriptions: SubscriptionStore;
  instances: InstanceStore;
  clock: Clock;
  log: Log;
  /** Carries out a click's (or a handed-off command's) work after the acknowledgement. */
  dispatch: SlackDispatch;
  /** CHAT_ACK_BUDGET: how long a slash command's acknowledgement may wait for its answer. */
  ackBudgetMs: number;
  /** True on Lambda, where nothing may run after the answer: late work goes to `dispatch`. */
  handsOff: boolean;
  /** The single process: work that goes on after its answer is handed here, so shutdown waits for it. */
  keep?: (late: Promise<unknown>) => void;
}

export { SLASH_COMMAND } from './slashCommand.js';

const ACTION_KIND: Record<string, ActionKind> = {
  [ACTION.stop]: 'stop',
  [ACTION.hibernate]: 'stop',
  [ACTION.snooze]: 'snooze',
  [ACTION.extend]: 'extend',
  [ACTION.stopAt]: 'stop-at',
  [ACTION.stopAtTime]: 'stop-at',
  [ACTION.stopWhenIdle]: 'stop-when-idle',
  [ACTION.cancelStop]: 'cancel-stop',
  [ACTION.postponeStop]: 'postpone-stop',
};

export function registerSlackListeners(app: App, deps: SlackListenerDeps): void {
  // Slack re-sends events it thinks we missed (X-Slack-Retry-Num). The first
  // delivery was already taken, so a retry is acknowledged and dropped: it
  // must never repeat an action or a post.
  app.use(async (args) => {
    const { context, next, body } = args;
    if (context.retryNum) {
      deps.log.info('ignoring Slack retry', {
        retryNum: context.retryNum,
        reason: context.retryReason,
        type: (body as { type?: string }).type,
      });
      // Events were acknowledged by Bolt already; anything else still needs its ack.
      const ack = (args as { ack?: () => Promise<void> }).ack;
      if (ack) await ack();
      return;
    }
    await next();
  });

  registerSlashCommand(app, {
    commands: deps.commands,
    log: deps.log,
    dispatch: deps.dispatch,
    ackBudgetMs: deps.ackBudgetMs,
    handsOff: deps.handsOff,
    keep: deps.keep,
  });

  app.action(
    {
      type: 'block_actions',
      action_id:
        /^lightsout\.(stop|hibernate|snooze|extend|stopAt|stopAtTime|stopWhenIdle|cancelStop|postponeStop)$/,
    },
    async ({ ack, body, action, client, respond }) => {
      await ack();
      const b = body as BlockAction;
      const a = action as ButtonAction | StaticSelectAction | TimepickerAction;
      const channelId = b.channel?.id ?? (b.container.channel_id as string | undefined);
      const messageTs = b.container.message_ts as string | undefined;
      const ephemeral = b.container.is_ephemeral === true;
      const target = decodeRunToken(a.block_id);
      if (!channelId || !target) {
        await respond({
          response_type: 'ephemeral',
          replace_original: false,
          text: 'This button does not belong to a Lights Out message I can act on. Use `/ec2 status <instance>` for a fresh one.',
        });
        return;
      }
      // Hibernate is a Stop with the `hibernate` choice: the same pipeline, claim and audit.
      // The time picker's `HH:MM` is a "Stop at…" choice like the menu's `at-19:00`.
      const choice =
        a.type === 'static_select'
          ? a.selected_option?.value
          : a.type === 'timepicker'
            ? (a.selected_time ?? undefined)
            : a.action_id === ACTION.hibernate
              ? HIBERNATE_CHOICE
              : undefined;
      const warningReply = a.type === 'button' && a.value === WARNING_REPLY;
      const responseUrl = ephemeral || !messageTs ? b.response_url : undefined;
      if (a.action_id === ACTION.snooze && choice === SNOOZE_CUSTOM) {
        // Slack only, no AWS: the trigger id expires in 3 s, so the modal opens here.
        await client.views
          .open({
            trigger_id: b.trigger_id,
            view: snoozeModal({
              token: a.block_id,
              channelId,
              messageTs,
              responseUrl,
              label: target.instanceId,
            }),
          })
          .catch((err: unknown) => deps.log.error('could not open the snooze modal', { error: String(err) }));
        return;
      }
      const work: SlackClick = {
        kind: 'click',
        action: ACTION_KIND[a.action_id]!,
        choice,
        token: a.block_id,
        channelId,
        messageTs,
        responseUrl,
        user: { id: b.user.id, name: b.user.name, username: b.user.username },
        requestId: `${a.action_ts}:${b.user.id}`,
        acknowledgedAt: deps.clock().getTime(),
        ...(warningReply ? { warningReply: true } : {}),
      };
      await deps.dispatch(work).catch((err: unknown) => reportSlackWorkFailure(client, work, deps.log, err));
    },
  );

  registerSnoozeModal(app, deps);

  // The console button only opens a link, but Slack still sends a block action that must be acknowledged.
  app.action(ACTION.console, async ({ ack }) => {
    await ack();
  });

  app.event('app_home_opened', async ({ event, client }) => {
    if (event.tab !== 'home') return;
    await publishHome(client as WebClient, event.user, deps);
  });
}

export async function publishHome(
  client: WebClient,
  userId: string,
  deps: Pick<SlackListenerDeps, 'subscriptions' | 'instances' | 'clock' | 'log'>,
): Promise<void> {
  try {
    const view = await buildHomeView(
      userId,
      { client, subscriptions: deps.subscriptions, instances: deps.instances },
      deps.clock(),
    );
    await client.views.publish({ user_id: userId, view });
  } catch (err) {
    deps.log.error('App Home publish failed', { user: userId, error: String(err) });
  }
}
