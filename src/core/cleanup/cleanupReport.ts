/**
 * How a cleanup reads in chat and logs: one line per hook outcome, joined into
 * `i-0abc (web-1) terminated · removed web-1.internal A · deregistered from srv-123 · webhook ok`.
 * Failures are part of the line (`webhook failed: 500`), never dropped.
 */

export type CleanupHook = 'route53' | 'cloudmap' | 'webhook';

export interface HookOutcome {
  hook: CleanupHook;
  ok: boolean;
  /** e.g. `removed web-1.internal A`, `deregistered from srv-123`, `webhook failed: HTTP 500`. */
  summary: string;
  /**
   * True when the line belongs in the chat report: something was (or would be)
   * removed, or a record was deliberately left alone. False for "nothing to do"
   * lines (not registered, already removed).
   */
  changed: boolean;
  /** Why, for logs and `--dry-run` output. */
  reason?: string;
}

export interface SummarySubject {
  instanceId: string;
  name?: string;
}

/** `i-0abc (web-1)`, or just the id. */
export const instanceLabel = (s: SummarySubject): string =>
  s.name ? `${s.instanceId} (${s.name})` : s.instanceId;

/** Whether the outcomes are worth a chat message: something changed or something failed. */
export const worthReporting = (outcomes: HookOutcome[]): boolean => outcomes.some((o) => o.changed || !o.ok);

export function cleanupSummary(subject: SummarySubject, outcomes: HookOutcome[], dryRun = false): string {
  const shown = outcomes.filter((o) => o.changed || !o.ok);
  const parts = [`${instanceLabel(subject)} terminated`];
  parts.push(...(shown.length ? shown.map((o) => o.summary) : ['nothing to clean up']));
  return `${parts.join(' · ')}${dryRun ? ' (dry run: nothing changed)' : ''}`;
}
