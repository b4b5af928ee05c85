/**
 * An `Action.Execute` click on a Lights Out card: read into the chat core's
 * action request, and its result rendered as the card Teams shows in place
 * of the clicked one (or a short message when there is no card to show).
 */
import * as z from 'zod';
import { decodeRunToken } from '../../core/message/runToken.js';
import {
  type ActionKind,
  type ActionRequest,
  type ActionResult,
  HIBERNATE_CHOICE,
} from '../core/actionPipeline.js';
import type { CommandContext } from '../core/commandContext.js';
import type { AdaptiveCardInvokeResponse, InvokeResponse } from './agentsSdk.js';
import {
  ADAPTIVE_CARD_CONTENT_TYPE,
  type AdaptiveCard,
  INPUTS,
  renderNagCard,
  renderNoticeCard,
  VERBS,
} from './nagCard.js';

const ExecuteValue = z.object({
  action: z.object({
    type: z.literal('Action.Execute'),
    verb: z.string(),
    data: z.record(z.string(), z.unknown()).optional(),
  }),
});

const VERB_TO_ACTION: Record<string, ActionKind> = {
  [VERBS.stop]: 'stop',
  // Hibernate is a Stop with the `hibernate` choice: the same pipeline, claim and audit.
  [VERBS.hibernate]: 'stop',
  [VERBS.snooze]: 'snooze',
  [VERBS.extend]: 'extend',
  [VERBS.stopAt]: 'stop-at',
  [VERBS.stopAtTime]: 'stop-at',
  [VERBS.stopWhenIdle]: 'stop-when-idle',
  [VERBS.cancelStop]: 'cancel-stop',
  [VERBS.postponeStop]: 'postpone-stop',
};

/** Where each menu's value arrives: Teams merges the card's inputs into the action's data. */
const CHOICE_INPUT: Partial<Record<string, string>> = {
  [VERBS.snooze]: INPUTS.snooze,
  [VERBS.extend]: INPUTS.extend,
  [VERBS.stopAt]: INPUTS.stopAt,
  [VERBS.stopAtTime]: INPUTS.stopAtTime,
};

/** The click as an action request, or the words that explain why nothing was done. */
export function readClick(
  value: unknown,
  ctx: CommandContext,
): { request: ActionRequest; warningReply?: boolean } | { refusal: string } {
  const parsed = ExecuteValue.safeParse(value);
  if (!parsed.success)
    return { refusal: 'That click arrived without the data Lights Out needs; nothing was done.' };
  const { verb, data = {} } = parsed.data.action;
  const action = VERB_TO_ACTION[verb];
  if (!action) return { refusal: `"${verb}" is not a Lights Out button; nothing was done.` };
  const target = typeof data.token === 'string' ? decodeRunToken(data.token) : undefined;
  if (!target) {
    return {
      refusal:
        'This card does not say which instance it is for; nothing was done. Mention me with `status <instance-id>` for a fresh card.',
    };
  }
  const hibernate = verb === VERBS.hibernate;
  if (action === 'stop' && data.confirmed !== true) {
    return {
      refusal: hibernate
        ? 'Hibernating needs a confirmation: press "Hibernate…", then "Yes, hibernate it".'
        : 'Stopping needs a confirmation: press "Stop…", then "Yes, stop it".',
    };
  }
  const choiceKey = CHOICE_INPUT[verb];
  const choice = hibernate
    ? HIBERNATE_CHOICE
    : choiceKey && typeof data[choiceKey] === 'string'
      ? (data[choiceKey] as string)
      : undefined;
  return {
    request: { action, target, choice, ctx },
    ...(data.warningReply === true ? { warningReply: true } : {}),
  };
}

/** Whether the click came from a warning reply's Cancel or +1h (not from a nag card). */
export function clickedWarningReply(value: unknown): boolean {
  const parsed = ExecuteValue.safeParse(value);
  return parsed.success && parsed.data.action.data?.warningReply === true;
}

/** The card a warning reply shows once acted on (what was done, no buttons); undefined: leave it. */
export function warningReplyCard(result: ActionResult): AdaptiveCard | undefined {
  return result.status === 'done' ? renderNoticeCard(result.notice) : undefined;
}

/** A short message Teams shows the clicker instead of changing the card. */
export function messageResponse(text: string): InvokeResponse<AdaptiveCardInvokeResponse> {
  return {
    status: 200,
    body: { statusCode: 200, type: 'application/vnd.microsoft.activity.message', value: text as never },
  };
}

function cardResponse(card: AdaptiveCard): InvokeResponse<AdaptiveCardInvokeResponse> {
  return { status: 200, body: { statusCode: 200, type: ADAPTIVE_CARD_CONTENT_TYPE, value: card as never } };
}

/** The card a result shows in place of the clicked one; undefined when only the notice applies. */
export function resultCard(result: ActionResult): AdaptiveCard | undefined {
  if (!result.message) return undefined;
  switch (result.status) {
    case 'done':
      return renderNagCard(result.message);
    case 'stale':
      return renderNagCard(result.message, { notice: { text: result.notice, tone: 'warning' } });
    case 'failed':
      return renderNagCard(result.message, { notice: { text: result.notice, tone: 'error' } });
    default:
      return undefined;
  }
}

export function cardAnswer(
  result: ActionResult,
  warningReply = false,
): InvokeResponse<AdaptiveCardInvokeResponse> {
  // A warning reply acted on says what was done in its place; refused, it keeps its buttons.
  if (warningReply) {
    const card = warningReplyCard(result);
    return card ? cardResponse(card) : messageResponse(result.notice);
  }
  const card = resultCard(result);
  return card ? cardResponse(card) : messageResponse(result.notice);
}

const DOING: Record<ActionKind, string> = {
  stop: 'Stopping',
  snooze: 'Snoozing',
  extend: 'Extending',
  'stop-at': 'Scheduling a stop of',
  'stop-when-idle': 'Scheduling a stop when idle of',
  'cancel-stop': 'Cancelling the scheduled stop of',
  'postpone-stop': 'Postponing the stop of',
};

/** What the clicker sees while the action is still waiting on AWS. */
export function interimNotice(request: ActionRequest): string {
  const who = request.ctx.actor.name ?? 'you';
  const doing = request.choice === HIBERNATE_CHOICE ? 'Hibernating' : DOING[request.action];
  return `${doing} ${request.target.instanceId}… (asked by ${who}). The card updates when it is done.`;
}
