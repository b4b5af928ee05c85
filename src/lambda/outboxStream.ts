/**
 * Reads the state table's stream and delivers each new outbox entry (an
 * `INSERT` under `pk = OUTBOX`; the event source mapping filters out the
 * rest) by publishing it to the events topic, where chat and cleanup
 * subscribe. The outcome is written back to the entry: delivered entries are
 * deleted, failed ones get their next attempt after a backoff (the reconcile
 * sweep redrives them) or are marked failed. Only when that bookkeeping
 * itself fails is the record reported back, so the stream retries it.
 */

import type { Logger } from '@aws-lambda-powertools/logger';
import { unmarshall } from '@aws-sdk/util-dynamodb';
import type { Context, DynamoDBBatchResponse, DynamoDBStreamEvent } from 'aws-lambda';
import { entryFromItem, OUTBOX_PK } from '../aws/dynamodb/outbox.js';
import type { Env } from '../config/index.js';
import type { OutboxDeliverer } from '../services/outbox/outboxDeliverer.js';
import { outboxAtColdStart } from './outboxDeps.js';

type Handler = (event: DynamoDBStreamEvent, context?: Context) => Promise<DynamoDBBatchResponse>;

export function outboxStreamHandler(deps: () => { deliverer: OutboxDeliverer; log: Logger }): Handler {
  return async (event, context) => {
    const { deliverer, log } = deps();
    if (context) log.addContext(context);
    const failures: { itemIdentifier: string }[] = [];
    for (const record of event.Records) {
      const image = record.dynamodb?.NewImage;
      if (record.eventName !== 'INSERT' || !image || image.pk?.S !== OUTBOX_PK) continue;
      // Typed by aws-lambda, the same wire shape util-dynamodb reads.
      const entry = entryFromItem(unmarshall(image as Parameters<typeof unmarshall>[0]));
      try {
        const outcome = await deliverer.deliver(entry);
        log.info('outbox entry handled', { id: entry.id, event: entry.event.type, outcome });
      } catch (err) {
        log.error('outbox bookkeeping failed; the stream will retry', { id: entry.id, error: String(err) });
        failures.push({ itemIdentifier: record.dynamodb?.SequenceNumber ?? '' });
        // Later records of the shard must wait: the stream retries from the first failure.
        break;
      }
    }
    return { batchItemFailures: failures };
  };
}

export const handler = outboxStreamHandler(() => outboxAtColdStart(process.env as Env));
