/**
 * The Cloud Map cleanup hook: deregisters the terminated instance from the
 * services in its `CloudMapService` tag (region defaults to the instance's)
 * and from those in config. Not being registered is not a failure, so a
 * re-run is harmless.
 */
import type { HookOutcome } from '../../core/cleanup/cleanupReport.js';
import {
  CLOUD_MAP_SERVICE_TAG,
  type CloudMapServiceRef,
  mergeServiceRefs,
  parseCloudMapServices,
} from '../../core/cleanup/cloudMapServiceTag.js';
import { withRetry } from '../../core/retry.js';
import type { ServiceRegistry } from '../../ports/serviceRegistry.js';
import type { HookContext } from './route53Hook.js';

const errorText = (err: unknown) => (err instanceof Error ? err.message : String(err));

export async function runCloudMapHook(
  registry: ServiceRegistry,
  ctx: HookContext,
  configured: CloudMapServiceRef[],
): Promise<HookOutcome[]> {
  const { record, dryRun } = ctx;
  const outcomes: HookOutcome[] = [];
  const tag = parseCloudMapServices(record.tags[CLOUD_MAP_SERVICE_TAG], record.region);
  for (const warning of tag.warnings) {
    outcomes.push({ hook: 'cloudmap', ok: false, changed: false, summary: warning });
  }

  for (const service of mergeServiceRefs(tag.refs, configured)) {
    const { serviceId, region } = service;
    try {
      const { value: changed } = await withRetry(
        ctx.retry,
        async () => {
          if (!dryRun) return registry.deregister(region, serviceId, record.instanceId);
          const registered = await registry.listInstances(region, serviceId);
          return registered.some((i) => i.id === record.instanceId);
        },
        (err, attempt) => ctx.onRetry?.(`Cloud Map ${serviceId}`, err, attempt),
      );
      const verb = dryRun ? 'would deregister from' : 'deregistered from';
      outcomes.push({
        hook: 'cloudmap',
        ok: true,
        changed,
        summary: changed ? `${verb} ${serviceId}` : `not registered in ${serviceId}`,
        reason: `${record.instanceId} in ${serviceId} (${region})`,
      });
    } catch (err) {
      outcomes.push({
        hook: 'cloudmap',
        ok: false,
        changed: false,
        summary: `deregistration from ${serviceId} failed: ${errorText(err)}`,
      });
    }
  }
  return outcomes;
}
