/**
 * The workload progress message on Teams: one Adaptive Card posted when a run
 * starts and replaced in place as tiers progress, so the channel sees one
 * message per run, as on Slack.
 */
import type { ChatMessageRef } from '../../core/instance.js';
import type { ChannelRef } from '../../ports/subscriptionStore.js';
import type { WorkloadProgressMessage, WorkloadProgressPoster } from '../../ports/workloadProgress.js';
import { CardFactory, MessageFactory } from './agentsSdk.js';
import { type AdaptiveCard, card, text } from './nagCard.js';
import type { TeamsGateway } from './teamsGateway.js';
import { clampCard, clampMarkdown } from './teamsLimits.js';

export function renderProgressCard(message: WorkloadProgressMessage): AdaptiveCard {
  return clampCard(
    card([
      text(message.title, {
        size: 'Medium',
        weight: 'Bolder',
        ...(message.finished ? {} : { color: 'Accent' }),
      }),
      // One TextBlock per line keeps the ✓ / … / ✗ markers aligned without markdown lists.
      ...message.lines.map((line) => text(line, { spacing: 'Small' })),
    ]),
  );
}

function progressActivity(message: WorkloadProgressMessage) {
  const activity = MessageFactory.attachment(CardFactory.adaptiveCard(renderProgressCard(message)));
  activity.summary = clampMarkdown(message.title, 200);
  return activity;
}

export class TeamsWorkloadProgressPoster implements WorkloadProgressPoster {
  readonly platform = 'teams' as const;

  constructor(private readonly gateway: TeamsGateway) {}

  post(channel: ChannelRef, message: WorkloadProgressMessage): Promise<ChatMessageRef> {
    return this.gateway.postActivity(channel, progressActivity(message));
  }

  update(ref: ChatMessageRef, message: WorkloadProgressMessage): Promise<void> {
    return this.gateway.updateActivity(ref, progressActivity(message));
  }
}
