/**
 * The Teams bot: turns Activities into the chat core's commands and actions
 * and renders the answers. Installation events store where the bot lives;
 * @mentions become commands; `Action.Execute` clicks become actions whose
 * refreshed card goes back as the invoke response, which Teams shows in
 * place of the clicked card. Answers only the asker should see go to their
 * 1:1 chat with the bot when they have one (Teams has no ephemeral messages),
 * else into the thread with an @mention. No business logic here.
 */
import type { Sleep } from '../../core/retry.js';
import type { Log } from '../../log.js';
import type { ChatInstallationStore } from '../../ports/chatInstallationStore.js';
import type { Clock } from '../../ports/clock.js';
import type { SubscriptionStore } from '../../ports/subscriptionStore.js';
import { inlineBudgetMs, WORKING_ON_IT, withinBudget } from '../core/ackBudget.js';
import type { ActionPipeline, ActionRequest, ActionResult } from '../core/actionPipeline.js';
import { untilAwsAnswers } from '../core/actionRetry.js';
import type { CommandContext } from '../core/commandContext.js';
import type { CommandService } from '../core/commandService.js';
import { forgetInstallation, rememberInstallation } from '../core/installations.js';
import type { ChatReply } from '../core/replies.js';
import {
  type Activity,
  ActivityHandler,
  type AdaptiveCardInvokeResponse,
  CardFactory,
  type InvokeResponse,
  MessageFactory,
  type TurnContext,
} from './agentsSdk.js';
import { renderReply } from './replyCards.js';
import {
  actorOf,
  botIsAmong,
  channelData,
  channelOf,
  commandText,
  isPersonal,
  personalInstallationId,
} from './teamsActivity.js';
import { cardAnswer, interimNotice, messageResponse, readClick } from './teamsClick.js';
import type { TeamsGateway } from './teamsGateway.js';
import {
  finishClickOrTell,
  type LateGateway,
  type TeamsHandOff,
  type TeamsWork,
  threadOf,
} from './teamsLateWork.js';

export interface TeamsBotDeps {
  /** A CommandService whose usage lines say `@Lights Out`. */
  commands: CommandService;
  actions: ActionPipeline;
  subscriptions: SubscriptionStore;
  installations: ChatInstallationStore;
  /** Sends private answers into the asker's 1:1 chat with the bot, and late answers and cards. */
  gateway: LateGateway & Partial<Pick<TeamsGateway, 'member'>>;
  clock: Clock;
  log: Log;
  /** CHAT_ACK_BUDGET: how long a request waits for its work before an interim answer. */
  ackBudgetMs: number;
  /** CHAT_ACTION_DEADLINE: how long a click keeps trying while AWS fails (the rule Slack clicks follow). */
  deadlineMs: number;
  /** The longest one try can take (`worstCaseTryMs`): no try starts that could end past the deadline. */
  tryBudgetMs?: number;
  sleep?: Sleep;
  /**
   * Lambda: where work goes that cannot finish within the budget (an
   * asynchronous invocation). Absent in the single process, which finishes
   * it after the answer itself.
   */
  handOff?: TeamsHandOff;
  /** The single process: work that goes on after its answer is handed here, so shutdown waits for it. */
  keep?: (late: Promise<unknown>, name?: string, follows?: Promise<unknown>) => void;
  /**
   * The single process: a click's action waits its turn here (the bounded
   * queue Slack clicks share), so a burst of clicks does not start every
   * action at once on the event loop that answers them. Shutdown waits for it.
   */
  queue?: <T>(task: () => Promise<T>, name?: string) => Promise<T>;
}

type Send = (activity: Partial<Activity>) => Promise<unknown>;

const COMMAND_FAILED_LATE =
  'Lights Out could not finish that command: it failed after "Working on it…" and has been logged. Please try again in a minute.';

const WELCOME = [
  '**Lights Out is here.** It nags about EC2 instances that run past their threshold, with Stop, Snooze and Extend on every nag.',
  "In the channel that should receive a group's nags, mention me: `@Lights Out subscribe <group>` (the group is the instance's `MonitorGroup` tag).",
  '`@Lights Out help` lists every command.',
].join('\n\n');

export class TeamsBot extends ActivityHandler {
  constructor(private readonly deps: TeamsBotDeps) {
    super();
    this.onMessage(async (context, next) => {
      await this.handleCommand(context);
      await next();
    });
    this.onInstallationUpdateAdd(async (context, next) => {
      await this.installed(context);
      await next();
    });
    this.onInstallationUpdateRemove(async (context, next) => {
      await this.removed(context);
      await next();
    });
    this.onMembersAdded(async (context, next) => {
      if (botIsAmong(context.activity.membersAdded, context.activity)) await this.installed(context);
      await next();
    });
    this.onMembersRemoved(async (context, next) => {
      if (botIsAmong(context.activity.membersRemoved, context.activity)) await this.removed(context);
      await next();
    });
  }

  private context(activity: Partial<Activity>): CommandContext {
    const channel = channelOf(activity);
    const actor = actorOf(activity);
    const aad = activity.from?.aadObjectId;
    const member = this.deps.gateway.member?.bind(this.deps.gateway);
    if (aad && member) {
      // Owner tags name people by email or UPN; Teams sends neither, the members API has both.
      let emails: Promise<string[]> | undefined;
      actor.emails = () => {
        emails ??= member(channel, aad).then((m) =>
          [m?.email, m?.userPrincipalName].filter((e): e is string => !!e),
        );
        return emails;
      };
    }
    return { channel, actor, requestId: activity.id };
  }

  private async handleCommand(context: TurnContext): Promise<void> {
    const activity = context.activity;
    if (activity.value && !activity.text) {
      // An old-style Action.Submit or a message extension: nothing Lights Out renders sends these.
      await context.sendActivity(
        'That button is not one Lights Out knows. Mention me with `help` for what works.',
      );
      return;
    }
    if (isPersonal(activity)) await this.rememberPersonalChat(activity);
    const text = commandText(activity);
    const { handOff, ackBudgetMs } = this.deps;
    const inTurn: Send = (a) => context.sendActivity(a as Activity);
    const work: TeamsWork = { kind: 'teamsCommand', activity: plain(activity) };
    if (handOff && !this.deps.commands.repeatable(text)) {
      // Never started twice (Snooze, Extend, a confirmed workload run): handed on before it starts.
      await inTurn(MessageFactory.text(WORKING_ON_IT));
      await handOff(work);
      return;
    }
    const reply = this.deps.commands.handleText(text, this.context(activity));
    const ready = await withinBudget(reply, inlineBudgetMs(ackBudgetMs, !!handOff));
    if (ready) {
      await this.answer(inTurn, activity, ready.value);
      return;
    }
    await inTurn(MessageFactory.text(WORKING_ON_IT));
    if (handOff) {
      // The run in this invocation only read; the hand-off runs it again.
      reply.catch(() => undefined);
      await handOff(work);
      return;
    }
    // Started here, not inside `keep?.(…)`: an absent keep would skip evaluating its argument.
    const late = this.finishCommand(activity, reply);
    this.deps.keep?.(
      late,
      `Teams answer to ${text.slice(0, 60)} by ${activity.from?.name ?? activity.from?.id}`,
    );
  }

  /** Sends a late command answer into the thread; never rejects. */
  private async finishCommand(activity: Partial<Activity>, reply: Promise<ChatReply>): Promise<void> {
    try {
      await this.answer(this.proactive(activity), activity, await reply);
    } catch (err) {
      this.deps.log.error('teams command failed after its answer', { error: String(err) });
      // "Working on it…" promised an answer: say that none is coming rather than leave it hanging.
      await this.proactive(activity)(MessageFactory.text(COMMAND_FAILED_LATE)).catch((e: unknown) =>
        this.deps.log.error('could not tell the asker that their command failed', { error: String(e) }),
      );
    }
  }

  /** Finishes work handed on from the invocation that answered Teams (Lambda). */
  async runHandedOff(work: TeamsWork): Promise<void> {
    const activity = work.activity as Partial<Activity>;
    if (work.kind === 'teamsCommand') {
      await this.finishCommand(
        activity,
        this.deps.commands.handleText(commandText(activity), this.context(activity)),
      );
      return;
    }
    const click = readClick(activity.value, this.context(activity));
    if ('refusal' in click) return; // answered already, when the click arrived
    const { request } = click;
    const result = this.act(request, work.acknowledgedAt);
    await finishClickOrTell(this.deps.gateway, activity, request, result, this.deps.log);
  }

  /** The click's action, tried again while AWS fails (throttled, 5xx, hung) until CHAT_ACTION_DEADLINE. */
  private act(request: ActionRequest, acknowledgedAt?: number): Promise<ActionResult> {
    return untilAwsAnswers(
      'Teams',
      request.ctx.requestId,
      (requestId) => this.deps.actions.handle({ ...request, ctx: { ...request.ctx, requestId } }),
      this.deps,
      acknowledgedAt,
    );
  }

  /** Sends into the activity's thread (or 1:1 chat) after its turn has ended. */
  private proactive(activity: Partial<Activity>): Send {
    return (a) => this.deps.gateway.sendToConversation(threadOf(activity), a);
  }

  /** Channel answers in the thread; private ones 1:1 when possible, else in the thread addressed to the asker. */
  private async answer(send: Send, activity: Partial<Activity>, reply: ChatReply): Promise<void> {
    const rendered = renderReply(reply);
    const message = () =>
      rendered.card
        ? rendered.more?.length
          ? MessageFactory.list([rendered.card, ...rendered.more].map((c) => CardFactory.adaptiveCard(c)))
          : MessageFactory.attachment(CardFactory.adaptiveCard(rendered.card))
        : MessageFactory.text(rendered.text ?? '');
    if (reply.visibility === 'channel' || isPersonal(activity)) {
      await send(message());
      return;
    }
    const aad = activity.from?.aadObjectId;
    const personal = aad
      ? await this.deps.installations.get('teams', personalInstallationId(aad))
      : undefined;
    if (personal) {
      try {
        await this.deps.gateway.sendToConversation(personal.channel, message());
        return;
      } catch (err) {
        // The person may have removed the app since; the thread still reaches them.
        this.deps.log.warn('teams 1:1 answer failed; answering in the thread', {
          error: err instanceof Error ? err.message : String(err),
        });
      }
    }
    const mentioned = message();
    const name = activity.from?.name ?? 'you';
    const at = `<at>${name.replace(/[<>]/g, '')}</at>`;
    mentioned.text = rendered.card ? at : `${at} ${mentioned.text ?? ''}`;
    mentioned.entities = [{ type: 'mention', text: at, mentioned: { id: activity.from?.id ?? '', name } }];
    await send(mentioned);
  }

  /** A 1:1 chat with someone: where their private answers go from now on. */
  private async rememberPersonalChat(activity: Activity): Promise<{ isNew: boolean } | undefined> {
    const aad = activity.from?.aadObjectId;
    if (!aad) return undefined;
    return rememberInstallation(
      this.deps,
      {
        platform: 'teams',
        id: personalInstallationId(aad),
        channel: channelOf(activity),
        name: activity.from?.name,
        installedBy: `teams:${aad.toLowerCase()}`,
      },
      this.deps.clock(),
    );
  }

  /** Added to a team, group chat or someone's personal scope: remember where, and say hello once. */
  private async installed(context: TurnContext): Promise<void> {
    const activity = context.activity;
    const data = channelData(activity);
    const channel = channelOf(activity);
    let id = data.team?.id ?? channel.channelId;
    let isNew: boolean;
    if (isPersonal(activity)) {
      const remembered = await this.rememberPersonalChat(activity);
      if (!remembered) return;
      id = personalInstallationId(activity.from!.aadObjectId!);
      isNew = remembered.isNew;
    } else {
      ({ isNew } = await rememberInstallation(
        this.deps,
        {
          platform: 'teams',
          id,
          channel,
          name: data.team?.name,
          installedBy: activity.from?.aadObjectId
            ? `teams:${activity.from.aadObjectId.toLowerCase()}`
            : undefined,
        },
        this.deps.clock(),
      ));
    }
    this.deps.log.info('teams installation stored', {
      team: id,
      tenant: channel.tenantId,
      refreshed: !isNew,
    });
    if (isNew) await context.sendActivity(MessageFactory.text(WELCOME));
  }

  /** Removed: the chat core forgets the installation and the subscriptions it carried. */
  private async removed(context: TurnContext): Promise<void> {
    const activity = context.activity;
    const channel = channelOf(activity);
    const teamId = channelData(activity).team?.id;
    const aad = activity.from?.aadObjectId;
    const id = isPersonal(activity) && aad ? personalInstallationId(aad) : (teamId ?? channel.channelId);
    const { flaggedSubscriptions } = await forgetInstallation(
      this.deps,
      { platform: 'teams', id, teamId, channelId: channel.channelId },
      this.deps.clock(),
    );
    this.deps.log.info('teams installation removed', { team: id, flaggedSubscriptions });
  }

  protected override async onInvokeActivity(context: TurnContext): Promise<InvokeResponse> {
    // The SDK's own adaptiveCard/action parsing answers malformed clicks with a bare 400; ours explains.
    if (context.activity.name !== 'adaptiveCard/action') return super.onInvokeActivity(context);
    try {
      return await this.handleCardAction(context);
    } catch (err) {
      // A store or connector outage: the clicker gets words, not Teams' generic "something went wrong".
      this.deps.log.error('teams card action failed', {
        error: err instanceof Error ? err.message : String(err),
      });
      return messageResponse(
        'That failed on the Lights Out side and has been logged. Check the card again in a minute.',
      );
    }
  }

  private async handleCardAction(context: TurnContext): Promise<InvokeResponse<AdaptiveCardInvokeResponse>> {
    const activity = context.activity;
    const click = readClick(activity.value, this.context(activity));
    if ('refusal' in click) {
      this.deps.log.warn('teams click refused before any work', { reason: click.refusal });
      return messageResponse(click.refusal);
    }
    const { request } = click;
    const { handOff, log } = this.deps;
    if (handOff) {
      // Lambda freezes once it answers; a click (not safe to start twice) is handed on before it starts.
      await handOff({
        kind: 'teamsClick',
        activity: plain(activity),
        acknowledgedAt: this.deps.clock().getTime(),
      });
      return messageResponse(interimNotice(request));
    }
    // Queued in the single process: its card comes back inline only if its turn and its work fit the budget.
    const { queue } = this.deps;
    const name = `Teams ${request.action} click on ${request.target.instanceId} by ${request.ctx.actor.name ?? request.ctx.actor.id}`;
    // The deadline counts from the click's arrival, not from its turn in the queue.
    const arrived = this.deps.clock().getTime();
    const result = queue ? queue(() => this.act(request, arrived), name) : this.act(request, arrived);
    const ready = await withinBudget(result, this.deps.ackBudgetMs);
    if (ready) {
      log.info('teams card action', {
        action: request.action,
        instanceId: request.target.instanceId,
        status: ready.value.status,
      });
      return cardAnswer(ready.value, click.warningReply);
    }
    const late = finishClickOrTell(this.deps.gateway, activity, request, result, log);
    // It follows the queued action (`result`) and takes its place: each click is named once.
    this.deps.keep?.(late, name, result);
    return messageResponse(interimNotice(request));
  }
}

/** The activity as plain JSON, as it travels in a hand-off. */
function plain(activity: Activity): Record<string, unknown> {
  return JSON.parse(JSON.stringify(activity)) as Record<string, unknown>;
}
