/**
 * The progress message chat keeps updated and the CLI prints with `--wait`:
 * ✓ done, … in progress, ✗ failed, ⏭ bypassed with the reason, then a summary.
 */
import { formatDuration } from '../duration.js';
import type { InstanceProgress, TierProgress, WorkloadRun } from './run.js';
import { tiersWithoutProfile } from './tierPlan.js';

const TIER_MARK: Record<TierProgress['status'], string> = {
  pending: '·',
  'in-progress': '…',
  waiting: '…',
  done: '✓',
  noop: '✓',
  failed: '✗',
};

const INSTANCE_MARK: Record<InstanceProgress['status'], string> = {
  pending: '·',
  acting: '…',
  done: '✓',
  bypassed: '⏭',
  unchanged: '✓',
  held: '✗',
  failed: '✗',
};

/** The instances worth a line of their own: bypassed, held and failed ones, with reasons. */
function notable(tier: TierProgress): InstanceProgress[] {
  return tier.instances.filter(
    (i) => i.status === 'bypassed' || i.status === 'held' || i.status === 'failed',
  );
}

export function tierLine(tier: TierProgress, action: string): string {
  const done = tier.instances.filter((i) => i.status === 'done').length;
  const acting = tier.instances.filter((i) => i.status === 'done' || i.status === 'acting').length;
  let detail: string;
  if (tier.status === 'noop') detail = `no-op: ${tier.note ?? 'nothing to do'}`;
  else if (tier.status === 'pending') detail = 'waiting its turn';
  else if (tier.status === 'failed') detail = tier.note ?? 'failed';
  else if (tier.status === 'waiting') detail = tier.note ?? `waiting for ${acting - done} of ${acting}`;
  else if (tier.status === 'in-progress') detail = tier.note ?? `${action} in progress`;
  else detail = `${done} ${action === 'stop' ? 'stopped' : 'started'}${tier.note ? ` (${tier.note})` : ''}`;
  return `${TIER_MARK[tier.status]} ${tier.tier}: ${detail}`;
}

/** Counts across the run: acted, bypassed, held/failed, unchanged. */
export function runCounts(run: WorkloadRun) {
  const all = run.tiers.flatMap((t) => t.instances);
  const count = (...s: InstanceProgress['status'][]) => all.filter((i) => s.includes(i.status)).length;
  return {
    done: count('done'),
    bypassed: count('bypassed'),
    problems: count('held', 'failed'),
    unchanged: count('unchanged'),
  };
}

export function summaryLine(run: WorkloadRun, now?: Date): string {
  const c = runCounts(run);
  const verb = run.action === 'stop' ? 'stopped' : 'started';
  const took = run.finishedAt
    ? ` in ${formatDuration((Date.parse(run.finishedAt) - Date.parse(run.requestedAt)) / 1000)}`
    : now
      ? `, running for ${formatDuration((now.getTime() - Date.parse(run.requestedAt)) / 1000)}`
      : '';
  const parts = [
    `${c.done} ${verb}`,
    `${c.bypassed} bypassed`,
    `${c.unchanged} already ${run.action === 'stop' ? 'stopped' : 'running'}`,
  ];
  if (c.problems) parts.push(`${c.problems} not ${verb}`);
  const asIs = run.spec ? tiersWithoutProfile(run.spec, run.action, run.profile) : [];
  const note = asIs.length
    ? `; ⚠ no "${run.profile}" profile, so not resized: ${asIs.map((t) => `tier ${t}`).join(', ')}`
    : '';
  return `${run.status}: ${parts.join(', ')}${took}${note}`;
}

/** The whole progress message as lines. */
export function renderRun(run: WorkloadRun, now?: Date): string[] {
  const profile = run.profile ? ` (profile ${run.profile})` : '';
  const lines = [
    `${run.action === 'stop' ? 'Stopping' : 'Starting'} workload ${run.workload}${profile}, run ${run.runId}, asked by ${run.requestedBy}`,
  ];
  for (const tier of run.tiers) {
    lines.push(tierLine(tier, run.action));
    for (const i of notable(tier)) {
      lines.push(
        `    ${INSTANCE_MARK[i.status]} ${i.instanceId}${i.name ? ` ${i.name}` : ''}: ${i.reason ?? i.status}`,
      );
    }
  }
  if (run.next && run.status === 'running' && now && Date.parse(run.next.dueAt) > now.getTime()) {
    // Round up: a step due in under a second would otherwise read "in 0m".
    lines.push(
      `… next step in ${formatDuration(Math.ceil((Date.parse(run.next.dueAt) - now.getTime()) / 1000))}`,
    );
  }
  for (const w of run.warnings) lines.push(`⚠ ${w}`);
  lines.push(run.summary ?? summaryLine(run, now));
  return lines;
}
