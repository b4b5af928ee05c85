/**
 * How RunStopper's outcomes read in the audit log: one entry per instance per
 * stop request, whether it came from chat, the CLI or a workload tier.
 */
import { instanceKeyString, type RunActor } from '../../core/instance.js';
import { type Log, silentLog } from '../../log.js';
import type { AuditLog } from '../../ports/auditLog.js';
import type { StopResult } from './stop.js';

/** `slack:U123`, `cli:alice`: the actor as the audit log spells it. */
export const auditActor = (by: RunActor): string => `${by.platform}:${by.id}`;

export const AUDIT_RESULT: Record<StopResult['status'], string> = {
  stopping: 'ok',
  already: 'duplicate',
  stale: 'stale',
  protected: 'refused',
  refused: 'refused',
  failed: 'error',
  unknown: 'unknown',
};

/** The audit detail of one stop's result. */
export function stopDetail(result: StopResult, hibernate: boolean): string {
  const verb = hibernate ? 'StopInstances (Hibernate)' : 'StopInstances';
  switch (result.status) {
    case 'stopping':
      return `${verb} accepted after ${result.runtimeSeconds}s${result.confirmedByReread ? ' (confirmed by reading EC2 again)' : ''}`;
    case 'already':
      return `already being stopped by ${result.by ? auditActor(result.by) : 'someone else'}`;
    case 'stale':
      return `run is over (${result.reason})`;
    case 'protected':
    case 'refused':
      return result.reason;
    default:
      return String(result.error instanceof Error ? result.error.message : result.error);
  }
}

/** Writes the entry; a failed audit write is logged, never turned into a failed stop. */
export async function auditStop(
  audit: AuditLog,
  log: Log | undefined,
  entry: { run: { region: string; instanceId: string; launchTime?: string }; by: RunActor; now: Date },
  outcome: { status: StopResult['status']; detail: string },
): Promise<void> {
  const { run, by, now } = entry;
  try {
    await audit.record({
      at: now.toISOString(),
      actor: auditActor(by),
      action: 'stop',
      target: `${instanceKeyString(run)}${run.launchTime ? `@${run.launchTime}` : ''}`,
      result: AUDIT_RESULT[outcome.status],
      detail: outcome.detail,
    });
  } catch (err) {
    (log ?? silentLog).error('audit write failed', {
      action: 'stop',
      actor: auditActor(by),
      error: String(err),
    });
  }
}
