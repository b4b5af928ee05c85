/**
 * Where the single process sends nags. This is the extension point for chat:
 * Slack and Teams each add one factory to `CHAT_NOTIFIERS` that returns their
 * notifier when configured (or undefined). The log always records nags; SNS is
 * added when SNS_TOPIC_ARN is set. With no chat configured, nags go to the log
 * alone, so `npm start` works on a fresh machine.
 */
import type { Config } from '../config/index.js';
import type { Log } from '../log.js';
import { CompositeNotifier, type NamedNotifier } from '../services/monitor/compositeNotifier.js';
import type { InProcessEventBus } from '../services/monitor/eventBus.js';
import { LogNotifier } from './logNotifier.js';

export interface NotifierContext {
  config: Config;
  log: Log;
  /** Domain events, for notifiers that also update their messages on stop/terminate. */
  bus: InProcessEventBus;
}

export type NotifierFactory = (
  ctx: NotifierContext,
) => NamedNotifier | undefined | Promise<NamedNotifier | undefined>;

/** Chat notifiers, one line each. */
export const CHAT_NOTIFIERS: NotifierFactory[] = [];

/** SNS, with `Target=<group>`, so email subscriptions keep working beside chat. */
async function snsNotifier(ctx: NotifierContext): Promise<NamedNotifier | undefined> {
  const topicArn = ctx.config.monitor.snsTopicArn;
  if (!topicArn) return undefined;
  const [{ SnsNotifier }, { snsClient }] = await Promise.all([
    import('../aws/snsNotifier.js'),
    import('../aws/clients.js'),
  ]);
  const region = topicArn.split(':')[3] ?? ctx.config.monitor.regions[0] ?? 'us-east-1';
  return { name: 'sns', notifier: new SnsNotifier(snsClient(region), topicArn), delivers: true };
}

export async function buildNotifier(
  ctx: NotifierContext,
  extra: NamedNotifier[] = [],
): Promise<CompositeNotifier> {
  const built: NamedNotifier[] = [{ name: 'log', notifier: new LogNotifier(ctx.log), delivers: false }];
  for (const factory of [snsNotifier, ...CHAT_NOTIFIERS]) {
    const n = await factory(ctx);
    if (n) built.push(n);
  }
  return new CompositeNotifier([...built, ...extra], ctx.log);
}
