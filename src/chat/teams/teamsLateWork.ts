/**
 * Finishing a Teams request after its answer. A command or click whose work
 * did not finish within CHAT_ACK_BUDGET was answered with an interim message;
 * its result then goes out proactively, without the request's turn: the
 * command's answer into the same thread (or 1:1 chat), the clicked card
 * rewritten in place. On Lambda the request travels as `TeamsWork` to an
 * asynchronous invocation of the same function, which does this.
 */
import type { Log } from '../../log.js';
import type { ChannelRef } from '../../ports/subscriptionStore.js';
import type { ActionResult } from '../core/actionPipeline.js';
import { type Activity, CardFactory, MessageFactory } from './agentsSdk.js';
import { actorOf, baseConversationId, channelOf, referenceOf } from './teamsActivity.js';
import { resultCard } from './teamsClick.js';
import type { TeamsGateway } from './teamsGateway.js';

/** A request handed on to finish elsewhere: the activity as Teams sent it (JSON). */
export interface TeamsWork {
  kind: 'teamsCommand' | 'teamsClick';
  activity: Record<string, unknown>;
}

export type TeamsHandOff = (work: TeamsWork) => Promise<void>;

export type LateGateway = Pick<TeamsGateway, 'sendToConversation' | 'updateActivity' | 'notifyPrivately'>;

/** The conversation the activity was posted in, thread included, for a proactive reply there. */
export function threadOf(activity: Partial<Activity>): ChannelRef {
  const channel = channelOf(activity);
  return {
    ...channel,
    conversationReference: JSON.parse(JSON.stringify(referenceOf(activity))) as Record<string, unknown>,
  };
}

/**
 * Shows a click's late result: the clicked card rewritten (unless the chat
 * core already rewrote it as one of the run's messages and there is no
 * notice to add), and a notice without a card sent to the clicker.
 */
export async function finishClick(
  gateway: LateGateway,
  activity: Partial<Activity>,
  result: ActionResult,
  log: Log,
): Promise<void> {
  if (result.status === 'duplicate') return;
  const card = resultCard(result);
  const cardId = activity.replyToId;
  const conversationId = baseConversationId(activity.conversation?.id ?? '');
  const alreadyUpdated = result.updatedRefs.some((r) => r.messageId === cardId);
  if (card && cardId && !(result.status === 'done' && alreadyUpdated)) {
    await gateway.updateActivity(
      {
        platform: 'teams',
        channelId: conversationId,
        messageId: cardId,
        serviceUrl: activity.serviceUrl,
        tenantId: channelOf(activity).tenantId,
      },
      MessageFactory.attachment(CardFactory.adaptiveCard(card)),
    );
  }
  if (!card) {
    await gateway.notifyPrivately(channelOf(activity), actorOf(activity).id, result.notice);
  }
  log.info('teams card action finished after its answer', {
    status: result.status,
    instanceId: result.message?.facts.instanceId,
  });
}
