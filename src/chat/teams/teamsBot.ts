/**
 * The Teams bot: turns Activities into the chat core's commands and actions
 * and renders the answers. Installation events store where the bot lives;
 * @mentions become commands; `Action.Execute` clicks become actions whose
 * refreshed card goes back as the invoke response, which Teams shows in
 * place of the clicked card. Answers only the asker should see go to their
 * 1:1 chat with the bot when they have one (Teams has no ephemeral messages),
 * else into the thread with an @mention. No business logic here.
 */
import * as z from 'zod';
import { decodeRunToken } from '../../core/message/runToken.js';
import type { Log } from '../../log.js';
import type { ChatInstallationStore } from '../../ports/chatInstallationStore.js';
import type { Clock } from '../../ports/clock.js';
import type { SubscriptionStore } from '../../ports/subscriptionStore.js';
import type { ActionKind, ActionPipeline, ActionResult } from '../core/actionPipeline.js';
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
import { ADAPTIVE_CARD_CONTENT_TYPE, type AdaptiveCard, INPUTS, renderNagCard, VERBS } from './nagCard.js';
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
import type { TeamsGateway } from './teamsGateway.js';

export interface TeamsBotDeps {
  /** A CommandService whose usage lines say `@Lights Out`. */
  commands: CommandService;
  actions: ActionPipeline;
  subscriptions: SubscriptionStore;
  installations: ChatInstallationStore;
  /** Sends private answers into the asker's 1:1 chat with the bot. */
  gateway: Pick<TeamsGateway, 'sendToConversation'>;
  clock: Clock;
  log: Log;
}

const WELCOME = [
  '**Lights Out is here.** It nags about EC2 instances that run past their threshold, with Stop, Snooze and Extend on every nag.',
  "In the channel that should receive a group's nags, mention me: `@Lights Out subscribe <group>` (the group is the instance's `MonitorGroup` tag).",
  '`@Lights Out help` lists every command.',
].join('\n\n');

const ExecuteValue = z.object({
  action: z.object({
    type: z.literal('Action.Execute'),
    verb: z.string(),
    data: z.record(z.string(), z.unknown()).optional(),
  }),
});

const VERB_TO_ACTION: Record<string, ActionKind> = {
  [VERBS.stop]: 'stop',
  [VERBS.snooze]: 'snooze',
  [VERBS.extend]: 'extend',
};

/** A short message Teams shows the clicker instead of changing the card. */
function messageResponse(text: string): InvokeResponse<AdaptiveCardInvokeResponse> {
  return {
    status: 200,
    body: { statusCode: 200, type: 'application/vnd.microsoft.activity.message', value: text as never },
  };
}

function cardResponse(card: AdaptiveCard): InvokeResponse<AdaptiveCardInvokeResponse> {
  return { status: 200, body: { statusCode: 200, type: ADAPTIVE_CARD_CONTENT_TYPE, value: card as never } };
}

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
    return { channel: channelOf(activity), actor: actorOf(activity), requestId: activity.id };
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
    const reply = await this.deps.commands.handleText(text, this.context(activity));
    await this.answer(context, reply);
  }

  /** Channel answers in the thread; private ones 1:1 when possible, else in the thread addressed to the asker. */
  private async answer(context: TurnContext, reply: ChatReply): Promise<void> {
    const activity = context.activity;
    const rendered = renderReply(reply);
    const message = () =>
      rendered.card
        ? MessageFactory.attachment(CardFactory.adaptiveCard(rendered.card))
        : MessageFactory.text(rendered.text ?? '');
    if (reply.visibility === 'channel' || isPersonal(activity)) {
      await context.sendActivity(message());
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
    await context.sendActivity(mentioned);
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
    const { droppedSubscriptions } = await forgetInstallation(this.deps, {
      platform: 'teams',
      id,
      teamId,
      channelId: channel.channelId,
    });
    this.deps.log.info('teams installation removed', { team: id, droppedSubscriptions });
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
    const parsed = ExecuteValue.safeParse(context.activity.value);
    if (!parsed.success) {
      this.deps.log.warn('malformed adaptiveCard/action invoke', { issues: parsed.error.issues.length });
      return messageResponse('That click arrived without the data Lights Out needs; nothing was done.');
    }
    const { verb, data = {} } = parsed.data.action;
    const action = VERB_TO_ACTION[verb];
    if (!action) return messageResponse(`"${verb}" is not a Lights Out button; nothing was done.`);
    const target = typeof data.token === 'string' ? decodeRunToken(data.token) : undefined;
    if (!target) {
      return messageResponse(
        'This card does not say which instance it is for; nothing was done. Mention me with `status <instance-id>` for a fresh card.',
      );
    }
    if (action === 'stop' && data.confirmed !== true) {
      return messageResponse('Stopping needs a confirmation: press "Stop…", then "Yes, stop it".');
    }
    const choiceKey = action === 'snooze' ? INPUTS.snooze : action === 'extend' ? INPUTS.extend : undefined;
    const choice = choiceKey && typeof data[choiceKey] === 'string' ? (data[choiceKey] as string) : undefined;

    const result = await this.deps.actions.handle({
      action,
      target,
      choice,
      ctx: this.context(context.activity),
    });
    this.deps.log.info('teams card action', { action, instanceId: target.instanceId, status: result.status });
    return this.cardAnswer(result);
  }

  private cardAnswer(result: ActionResult): InvokeResponse<AdaptiveCardInvokeResponse> {
    if (!result.message) return messageResponse(result.notice);
    switch (result.status) {
      case 'done':
        return cardResponse(renderNagCard(result.message));
      case 'stale':
        return cardResponse(
          renderNagCard(result.message, { notice: { text: result.notice, tone: 'warning' } }),
        );
      case 'failed':
        return cardResponse(
          renderNagCard(result.message, { notice: { text: result.notice, tone: 'error' } }),
        );
      default:
        return messageResponse(result.notice);
    }
  }
}
