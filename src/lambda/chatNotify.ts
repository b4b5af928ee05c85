/**
 * SNS subscriber for the nag topic and the events topic: posts nags to every
 * subscribed chat channel, rewrites the messages when an instance is stopped
 * or terminated or its consented stop changes (with a thread reply for the
 * warning before it), and reports cleanups (in the nag's thread, or to the group's
 * channels when it was never nagged). Deduplicated by SNS message id, so a
 * redelivery posts nothing twice. Any failure throws: SNS/Lambda retry and
 * finally dead-letter the message; it is never dropped.
 */
import type { Context, SNSEvent } from 'aws-lambda';
// Namespace import: lets esbuild drop zod's unused locales (~360 KB) from Lambda bundles.
import * as z from 'zod';
import type { ChatDelivery } from '../chat/core/delivery.js';
import type { Env } from '../config/index.js';
import type { DomainEvent } from '../core/events.js';
import type { NagNotification } from '../core/notification.js';
import type { Log } from '../log.js';
import { buildLambdaChat, type LambdaChatOptions } from './chatRuntime.js';

const SnsEventSchema = z.object({
  Records: z.array(z.object({ Sns: z.object({ MessageId: z.string().min(1), Message: z.string() }) })).min(1),
});

const RecordSchema = z.looseObject({
  region: z.string(),
  instanceId: z.string(),
  launchTime: z.string(),
  group: z.string(),
  chatRefs: z.array(
    z.looseObject({ platform: z.enum(['slack', 'teams']), channelId: z.string(), messageId: z.string() }),
  ),
});

const NagSchema = z.looseObject({
  kind: z.literal('nag'),
  instanceId: z.string(),
  region: z.string(),
  group: z.string(),
  launchTime: z.string(),
  runtimeSeconds: z.number(),
  thresholdSeconds: z.number(),
  nagCount: z.number(),
  warnings: z.array(z.string()),
  consoleUrl: z.string(),
  dueAt: z.string(),
  owner: z.object({ kind: z.enum(['email', 'slack-user', 'teams-user']), value: z.string() }).optional(),
  idle: z
    .object({
      windowSeconds: z.number(),
      periodSeconds: z.number(),
      cpuAvgPercent: z.number().optional(),
      cpuMaxPercent: z.number().optional(),
      networkBytes: z.number().optional(),
      gpuAvgPercent: z.number().optional(),
      gpuMaxPercent: z.number().optional(),
      gpuReported: z.boolean(),
    })
    .optional(),
  price: z
    .object({
      hourlyUsd: z.number().nonnegative(),
      source: z.enum(['tag', 'on-demand', 'spot']),
      at: z.string(),
    })
    .optional(),
});

const EventSchema = z.discriminatedUnion('type', [
  z.looseObject({
    type: z.literal('instance.stopped'),
    record: RecordSchema,
    runtimeSeconds: z.number(),
    at: z.string(),
  }),
  z.looseObject({
    type: z.literal('instance.terminated'),
    record: RecordSchema,
    runtimeSeconds: z.number(),
    at: z.string(),
  }),
  z.looseObject({
    type: z.literal('instance.stop-consent'),
    record: RecordSchema,
    change: z.enum(['scheduled', 'moved', 'cancelled', 'warned']),
    at: z.string(),
  }),
  z.looseObject({
    type: z.literal('instance.cleaned-up'),
    record: RecordSchema,
    outcomes: z.array(z.looseObject({ hook: z.string(), ok: z.boolean(), summary: z.string() })),
    at: z.string(),
  }),
]);

type Handler = (event: SNSEvent, context?: Context) => Promise<void>;

/** Handles one SNS message; throws when it cannot be handled (malformed or undeliverable). */
export async function handleSnsMessage(
  delivery: ChatDelivery,
  messageId: string,
  message: string,
  log: Log,
): Promise<void> {
  let body: unknown;
  try {
    body = JSON.parse(message);
  } catch {
    throw new Error(
      `SNS message ${messageId} is not JSON; it will be retried and then dead-lettered for inspection`,
    );
  }
  const nag = NagSchema.safeParse(body);
  if (nag.success) {
    const report = await delivery.deliverNag(nag.data as unknown as NagNotification, `sns#${messageId}`);
    log.info('nag delivered', {
      messageId,
      instanceId: nag.data.instanceId,
      posted: report.posted.length,
      updated: report.updated.length,
      duplicates: report.skipped.length,
      undelivered: report.undelivered,
    });
    return;
  }
  const event = EventSchema.safeParse(body);
  if (event.success) {
    const updated = await delivery.deliverEvent(event.data as unknown as DomainEvent, `sns#${messageId}`);
    log.info('chat messages updated for event', {
      messageId,
      type: event.data.type,
      messages: updated.length,
    });
    return;
  }
  throw new Error(
    `SNS message ${messageId} is neither a nag nor a domain event: ${nag.error.issues[0]?.message ?? 'unknown shape'}`,
  );
}

export async function createChatNotifyHandler(env: Env, opts: LambdaChatOptions = {}): Promise<Handler> {
  const chat = await buildLambdaChat(env, {
    slack: () => import('./slackRuntime.js'),
    teams: () => import('./teamsRuntime.js'),
    ...opts,
  });
  return async (event) => {
    const parsed = SnsEventSchema.safeParse(event);
    if (!parsed.success) throw new Error(`expected an SNS event: ${parsed.error.message}`);
    const failures: string[] = [];
    for (const { Sns } of parsed.data.Records) {
      try {
        await handleSnsMessage(chat.core.delivery, Sns.MessageId, Sns.Message, chat.log);
      } catch (err) {
        chat.log.error('chat notification failed; SNS will retry', {
          messageId: Sns.MessageId,
          error: err instanceof Error ? err.message : String(err),
        });
        failures.push(Sns.MessageId);
      }
    }
    if (failures.length)
      throw new Error(`chat notification failed for SNS message(s) ${failures.join(', ')}`);
  };
}

let ready: Promise<Handler> | undefined;

export const handler: Handler = async (event, context) => {
  ready ??= createChatNotifyHandler(process.env).catch((err: unknown) => {
    ready = undefined;
    throw err;
  });
  return (await ready)(event, context);
};
