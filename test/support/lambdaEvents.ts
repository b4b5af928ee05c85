/**
 * SQS and EventBridge events shaped as Lambda receives them, for handler tests.
 */
import type { SQSEvent, SQSRecord } from 'aws-lambda';

/** An EC2 state-change notification as the EventBridge rule delivers it. */
export function ec2StateChangeEvent(instanceId: string, state: string, time = new Date().toISOString()) {
  return {
    version: '0',
    id: 'e6a0b8a0-0000-0000-0000-000000000000',
    source: 'aws.ec2',
    'detail-type': 'EC2 Instance State-change Notification',
    account: '123456789012',
    time,
    region: 'us-east-1',
    resources: [`arn:aws:ec2:us-east-1:123456789012:instance/${instanceId}`],
    detail: { 'instance-id': instanceId, state },
  };
}

/** One SQS record; `body` is JSON-encoded unless it is already a string. */
export function sqsRecord(messageId: string, body: unknown): SQSRecord {
  return {
    messageId,
    receiptHandle: `receipt-${messageId}`,
    body: typeof body === 'string' ? body : JSON.stringify(body),
    attributes: {
      ApproximateReceiveCount: '1',
      ApproximateFirstReceiveTimestamp: '1764633600000',
      SenderId: 'AIDAEXAMPLE',
      SentTimestamp: '1764633600000',
    },
    messageAttributes: {},
    md5OfBody: '0'.repeat(32),
    eventSource: 'aws:sqs',
    eventSourceARN: 'arn:aws:sqs:us-east-1:123456789012:lightsout-state-changes',
    awsRegion: 'us-east-1',
  };
}

export const sqsEvent = (...records: SQSRecord[]): SQSEvent => ({ Records: records });
