/** Plain-text rendering of a plan, for `--dry-run` in the CLI and chat. */

import { formatDuration } from '../duration.js';
import { count } from '../plural.js';
import type { PlannedInstance, TierPlan, WorkloadPlan } from './tierPlan.js';

const MARK: Record<PlannedInstance['step'], string> = { act: '→', bypass: '⏭', unchanged: '=', hold: '!' };

function tierHeading(tier: TierPlan, index: number, action: string): string {
  const parts = [`${tier.synchronous ? 'waits for every instance' : 'does not wait'}`];
  if (tier.delayAfterSeconds > 0)
    parts.push(`then ${formatDuration(tier.delayAfterSeconds)} before the next tier`);
  if (tier.overrideCheck)
    parts.push(`SSM checks ${tier.overrideCheck.filename} (${tier.overrideCheck.os}) first`);
  return `${index + 1}. ${tier.tier} (${action} sequence ${tier.sequence}; ${parts.join('; ')})`;
}

function instanceLine(i: PlannedInstance): string {
  const name = i.name ? ` ${i.name}` : '';
  return `   ${MARK[i.step]} ${i.instanceId}${name}: ${i.reason}`;
}

/** The plan as lines of text; `dryRun` adds the "nothing will change" heading. */
export function renderPlan(plan: WorkloadPlan, opts: { dryRun?: boolean } = {}): string {
  const profile = plan.profile ? ` with profile "${plan.profile}"` : '';
  const lines = [
    `${opts.dryRun ? 'Dry run: ' : ''}${plan.action} workload "${plan.workload}" in ${plan.region}${profile}${opts.dryRun ? ' (nothing will change)' : ''}`,
  ];
  if (plan.refused) {
    lines.push(`Refused: ${plan.refused}`);
    return lines.join('\n');
  }
  plan.tiers.forEach((tier, i) => {
    lines.push(tierHeading(tier, i, plan.action));
    if (tier.noop) lines.push(`   no-op: ${tier.noop}`);
    for (const inst of tier.instances) lines.push(instanceLine(inst));
  });
  const acting = plan.tiers.flatMap((t) => t.instances).filter((i) => i.step === 'act').length;
  const resizing = plan.tiers.flatMap((t) => t.instances).filter((i) => i.resizeTo).length;
  lines.push(
    `Total: ${count(acting, 'instance')} to ${plan.action}${resizing ? `, ${resizing} to resize first` : ''} across ${count(plan.tiers.length, 'tier')}`,
  );
  if (plan.warnings.length) lines.push('Warnings:', ...plan.warnings.map((w) => `  - ${w}`));
  return lines.join('\n');
}
