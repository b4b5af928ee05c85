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
import { type ActionRequest, type ActionResult, HIBERNATE_CHOICE } from '../core/actionPipeline.js';
import { describeFailure } from '../core/failureText.js';
import { type Activity, CardFactory, MessageFactory } from './agentsSdk.js';
import { actorOf, baseConversationId, channelOf, referenceOf } from './teamsActivity.js';
import { clickedWarningReply, resultCard, warningReplyCard } from './teamsClick.js';
import { statusOf, type TeamsGateway } from './teamsGateway.js';

/** A request handed on to finish elsewhere: the activity as Teams sent it (JSON). */
export interface TeamsWork {
  kind: 'teamsCommand' | 'teamsClick';
  activity: Record<string, unknown>;
  /** Epoch ms the click was answered: CHAT_ACTION_DEADLINE counts from here. */
  acknowledgedAt?: number;
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
  // Cancel or +1h under a warning: that reply turns into what was done, never into a second nag card.
  const warningReply = clickedWarningReply(activity.value);
  const card = warningReply ? warningReplyCard(result) : resultCard(result);
  const cardId = activity.replyToId;
  const conversationId = baseConversationId(activity.conversation?.id ?? '');
  const alreadyUpdated = !warningReply && result.updatedRefs.some((r) => r.messageId === cardId);
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

/**
 * Finishes a click after its interim answer, and tells the clicker when that
 * fails instead of only logging it: the action itself failed (a store or AWS
 * outage; describeFailure's words say what and what to do), or it was done but
 * its card could not be rewritten (the outcome, and how to get a fresh card).
 * Never rejects; if even the message to the clicker fails, that is logged.
 */
export async function finishClickOrTell(
  gateway: LateGateway,
  activity: Partial<Activity>,
  request: Pick<ActionRequest, 'action' | 'target' | 'choice'>,
  result: Promise<ActionResult>,
  log: Log,
): Promise<void> {
  const instanceId = request.target.instanceId;
  let outcome: ActionResult;
  try {
    outcome = await result;
  } catch (err) {
    log.error('teams card action failed after its answer', { instanceId, error: errorText(err) });
    const action = request.choice === HIBERNATE_CHOICE ? 'hibernate' : request.action;
    await tellClicker(gateway, activity, describeFailure(err, action, { instanceId }), log);
    return;
  }
  try {
    await finishClick(gateway, activity, outcome, log);
  } catch (err) {
    log.error('teams card could not be rewritten after its action', { instanceId, error: errorText(err) });
    const status = statusOf(err);
    const teamsSaid = status ? `Teams answered ${status}` : 'Teams could not be reached';
    const why = `The card could not be updated (${teamsSaid}); mention me with \`status ${instanceId}\` for a fresh one.`;
    await tellClicker(gateway, activity, `${outcome.notice} ${why}`, log);
  }
}

/** A private note to the person who clicked, in the card's conversation. */
async function tellClicker(
  gateway: LateGateway,
  activity: Partial<Activity>,
  text: string,
  log: Log,
): Promise<void> {
  await gateway
    .notifyPrivately(channelOf(activity), actorOf(activity).id, text)
    .catch((err: unknown) =>
      log.error('could not tell the clicker that their action failed', { error: errorText(err) }),
    );
}

const errorText = (err: unknown): string => (err instanceof Error ? err.message : String(err));
