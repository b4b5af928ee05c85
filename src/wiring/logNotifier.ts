/**
 * Writes each nag to the structured log: the single process's notifier until
 * chat is configured, and a record of every nag after that.
 */
import { formatDuration } from '../core/duration.js';
import type { NagNotification } from '../core/notification.js';
import type { Log } from '../log.js';
import type { Notifier } from '../ports/notifier.js';

export class LogNotifier implements Notifier {
  constructor(private readonly log: Log) {}

  async notify(n: NagNotification): Promise<void> {
    const who = n.name ? `${n.name} (${n.instanceId})` : n.instanceId;
    this.log.warn(
      `${who} in ${n.region} has run ${formatDuration(n.runtimeSeconds)}, over its ${formatDuration(n.thresholdSeconds)} threshold`,
      { nag: n },
    );
  }
}
