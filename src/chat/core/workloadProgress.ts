/**
 * The workload progress message (✓ done, … in progress, ✗ failed, ⏭ bypassed
 * with the reason, then a summary) and the listener that keeps every posted
 * copy of it updated as the executor reports tiers.
 */
import type { WorkloadRun } from '../../core/workloads/run.js';
import { renderRun } from '../../core/workloads/runText.js';
import type { Log } from '../../log.js';
import type { WorkloadProgressMessage, WorkloadProgressPoster } from '../../ports/workloadProgress.js';

export function progressMessage(run: WorkloadRun, now?: Date): WorkloadProgressMessage {
  const [title = '', ...lines] = renderRun(run, now);
  return { title, lines, finished: run.status !== 'running' };
}

/** A status listener (subscribe it to the run's status fan-out) updating chat copies of the message. */
export function workloadProgressListener(posters: WorkloadProgressPoster[], log?: Log) {
  return async (run: WorkloadRun): Promise<void> => {
    for (const ref of run.chatRefs) {
      const poster = posters.find((p) => p.platform === ref.platform);
      if (!poster) continue;
      try {
        await poster.update(ref, progressMessage(run));
      } catch (err) {
        // One channel failing to update must not hide progress from the others.
        log?.warn('workload progress update failed', {
          runId: run.runId,
          channel: ref.channelId,
          error: String(err),
        });
      }
    }
  };
}
