/** The run history in memory, for service tests; it passes the RunHistory contract (test/ports). */
import { DEFAULT_HISTORY_RETENTION_DAYS, type RunHistoryEntry, runKey } from '../../src/core/runHistory.js';
import type { RunHistory, RunHistoryQuery } from '../../src/ports/runHistory.js';

export class MemoryRunHistory implements RunHistory {
  readonly entries = new Map<string, RunHistoryEntry>();
  private readonly retentionMs: number;

  constructor(opts: { retentionDays?: number } = {}) {
    this.retentionMs = (opts.retentionDays ?? DEFAULT_HISTORY_RETENTION_DAYS) * 86_400_000;
  }

  async record(entry: RunHistoryEntry): Promise<void> {
    const normal = {
      ...structuredClone(entry),
      launchTime: new Date(entry.launchTime).toISOString(),
      stoppedAt: new Date(entry.stoppedAt).toISOString(),
    };
    if (!this.entries.has(runKey(normal))) this.entries.set(runKey(normal), normal);
    const cutoff = Date.parse(entry.stoppedAt) - this.retentionMs;
    for (const [key, e] of this.entries) if (Date.parse(e.stoppedAt) < cutoff) this.entries.delete(key);
  }

  async between(query: RunHistoryQuery): Promise<RunHistoryEntry[]> {
    const groups = query.groups ? new Set(query.groups) : undefined;
    return [...this.entries.values()]
      .filter((e) => Date.parse(e.stoppedAt) >= query.since.getTime())
      .filter((e) => Date.parse(e.stoppedAt) < query.until.getTime())
      .filter((e) => !groups || groups.has(e.group))
      .sort(
        (a, b) =>
          a.stoppedAt.localeCompare(b.stoppedAt) ||
          a.region.localeCompare(b.region) ||
          a.instanceId.localeCompare(b.instanceId),
      )
      .map((e) => structuredClone(e));
  }
}
