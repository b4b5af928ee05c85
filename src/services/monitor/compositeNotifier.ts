/**
 * Fans one nag out to several notifiers (chat, SNS, the log). A nag counts as
 * delivered when at least one delivering notifier took it; only when all of
 * them failed does `notify` throw, so the engine retries without repeating
 * the nag where it already landed. Notifiers with `delivers: false` (the log)
 * never decide the outcome unless nothing else is configured.
 */
import type { NagNotification } from '../../core/notification.js';
import { type Log, silentLog } from '../../log.js';
import type { Notifier } from '../../ports/notifier.js';

export interface NamedNotifier {
  name: string;
  notifier: Notifier;
  /** False for a notifier that only records (the log), true for one that reaches people. */
  delivers: boolean;
}

export class CompositeNotifier implements Notifier {
  constructor(
    readonly notifiers: NamedNotifier[],
    private readonly log: Log = silentLog,
  ) {}

  async notify(notification: NagNotification): Promise<void> {
    const results = await Promise.allSettled(this.notifiers.map((n) => n.notifier.notify(notification)));
    const failures: string[] = [];
    let delivered = false;
    results.forEach((result, i) => {
      const named = this.notifiers[i]!;
      if (result.status === 'fulfilled') {
        delivered ||= named.delivers;
        return;
      }
      const reason = result.reason instanceof Error ? result.reason.message : String(result.reason);
      failures.push(`${named.name}: ${reason}`);
      this.log.warn('notifier failed', {
        notifier: named.name,
        instanceId: notification.instanceId,
        error: reason,
      });
    });
    const anyDelivering = this.notifiers.some((n) => n.delivers);
    const logOnlySucceeded = !anyDelivering && failures.length < this.notifiers.length;
    if (!delivered && !logOnlySucceeded) {
      throw new Error(
        `nag for ${notification.instanceId} not delivered: ${failures.join('; ') || 'no notifiers'}`,
      );
    }
  }
}
