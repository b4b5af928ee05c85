/**
 * Publishes nags to SNS. The `Target=<group>` message attribute is what the
 * original runtime monitor's email subscriptions filter on, so their filter
 * policies keep working unchanged; `Event=nag` lets new subscribers tell nags
 * from other traffic on a shared topic. The body is the NagNotification JSON.
 */
import { PublishCommand, type SNSClient } from '@aws-sdk/client-sns';
import { formatDuration } from '../core/duration.js';
import type { NagNotification } from '../core/notification.js';
import type { Notifier } from '../ports/notifier.js';
import { awsCall } from './errors.js';

/** SNS subjects: at most 100 printable ASCII characters, no line breaks. */
export function snsSubject(text: string): string {
  const ascii = text.replace(/[^\x20-\x7e]/g, '?').trim();
  return ascii.length <= 100 ? ascii : `${ascii.slice(0, 97)}...`;
}

/** e.g. `Lights Out: web-1 (i-0abc…) running 13h 02m in eu-west-1 [web]`. */
export function nagSubject(n: NagNotification): string {
  const who = n.name ? `${n.name} (${n.instanceId})` : n.instanceId;
  return snsSubject(
    `Lights Out: ${who} running ${formatDuration(n.runtimeSeconds)} in ${n.region} [${n.group}]`,
  );
}

export class SnsNotifier implements Notifier {
  constructor(
    private readonly client: SNSClient,
    private readonly topicArn: string,
  ) {}

  async notify(notification: NagNotification): Promise<void> {
    await awsCall(`Publish nag for ${notification.instanceId} to ${this.topicArn}`, () =>
      this.client.send(
        new PublishCommand({
          TopicArn: this.topicArn,
          Subject: nagSubject(notification),
          Message: JSON.stringify(notification),
          MessageAttributes: {
            Target: { DataType: 'String', StringValue: notification.group },
            Event: { DataType: 'String', StringValue: 'nag' },
          },
        }),
      ),
    );
  }
}
