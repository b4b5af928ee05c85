/**
 * Publishes domain events (stopped, terminated, cleaned-up) to the events
 * topic in Lambda mode, where chat updates and cleanup hooks run as separate
 * subscribers. `Event=<type>` and `Target=<group>` let each subscriber take
 * only what it handles through an SNS filter policy.
 */
import { PublishCommand, type SNSClient } from '@aws-sdk/client-sns';
import type { DomainEvent } from '../core/events.js';
import type { DomainEventPublisher } from '../ports/notifier.js';
import { awsCall } from './errors.js';
import { snsSubject } from './snsNotifier.js';

export class SnsDomainEventPublisher implements DomainEventPublisher {
  constructor(
    private readonly client: SNSClient,
    private readonly topicArn: string,
  ) {}

  async publish(event: DomainEvent): Promise<void> {
    const { record } = event;
    await awsCall(`Publish ${event.type} for ${record.instanceId} to ${this.topicArn}`, () =>
      this.client.send(
        new PublishCommand({
          TopicArn: this.topicArn,
          Subject: snsSubject(`Lights Out: ${event.type} ${record.instanceId} in ${record.region}`),
          Message: JSON.stringify(event),
          MessageAttributes: {
            Event: { DataType: 'String', StringValue: event.type },
            Target: { DataType: 'String', StringValue: record.group },
          },
        }),
      ),
    );
  }
}
