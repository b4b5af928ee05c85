/**
 * The `list` use case: runtimes of monitored running instances, read live
 * from EC2 over every configured region, with stored records (when a store is
 * available) adding extensions, snoozes and undelivered marks.
 */
import { buildRuntimeReport, type ReportEntry, type RuntimeRow } from '../../core/runtimeReport.js';
import { readTagPolicy } from '../../core/tagPolicy.js';
import type { Fleet } from '../../ports/fleet.js';
import type { InstanceStore } from '../../ports/instanceStore.js';
import { type MonitorSettings, monitoredTagKeys, policyDefaults } from './context.js';

export interface RuntimeQuery {
  /** Runtime as of this time (default now): `--at 18:00` answers "who will be over by then?". */
  at: Date;
  group?: string;
  overOnly?: boolean;
}

export async function listRuntimes(
  deps: { fleet: Fleet; store?: InstanceStore; settings: MonitorSettings },
  query: RuntimeQuery,
): Promise<RuntimeRow[]> {
  const defaults = policyDefaults(deps.settings);
  const entries: ReportEntry[] = [];
  for (const region of deps.settings.regions) {
    const running = await deps.fleet.find(region, {
      states: ['pending', 'running'],
      tagKeys: monitoredTagKeys(deps.settings),
    });
    const records = deps.store ? await deps.store.list({ region }) : [];
    const byId = new Map(records.map((r) => [r.instanceId, r]));
    for (const instance of running) {
      entries.push({
        region,
        instanceId: instance.instanceId,
        facts: instance,
        policy: readTagPolicy(instance.tags, defaults),
        record: byId.get(instance.instanceId),
      });
    }
  }
  return buildRuntimeReport(entries, query.at, { group: query.group, overOnly: query.overOnly });
}
