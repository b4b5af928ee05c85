/**
 * Builds a digest from the stores: the ended runs of the window (and of the
 * day after it, which tell when an instance stopped from chat started
 * again) from the run history, and the runs still up from the instance
 * store. The weekly digest and `lightsout report` both come through here.
 */
import { buildDigest, type Digest, type OpenRun } from '../../core/digest.js';
import type { InstanceRecord } from '../../core/instance.js';
import { DEFAULT_OWNER_TAG } from '../../core/owner.js';
import { isUp } from '../../core/runLifecycle.js';
import type { InstanceStore } from '../../ports/instanceStore.js';
import type { RunHistory } from '../../ports/runHistory.js';

export interface DigestSources {
  history: RunHistory;
  /** The current runs; without it (a CLI with no state) only ended runs count. */
  store?: InstanceStore;
  ownerTag?: string;
}

export interface DigestRequest {
  since: Date;
  until: Date;
  timeZone: string;
  /** Only these groups; all when absent. */
  groups?: readonly string[];
}

const DAY_MS = 86_400_000;

export async function loadDigest(sources: DigestSources, req: DigestRequest): Promise<Digest> {
  const runs = await sources.history.between({
    since: req.since,
    until: new Date(req.until.getTime() + DAY_MS),
    ...(req.groups ? { groups: req.groups } : {}),
  });
  const wanted = req.groups ? new Set(req.groups) : undefined;
  const records = sources.store ? await sources.store.list() : [];
  const open = records
    .filter((r) => isUp(r.state) && !r.stopRequestedAt && (!wanted || wanted.has(r.group)))
    .filter((r) => Date.parse(r.launchTime) < req.until.getTime())
    .map((r) => openRun(r, sources.ownerTag ?? DEFAULT_OWNER_TAG));
  return buildDigest({ ...req, runs, open });
}

/** A price is on the record once it was looked up; absent means unknown. */
function openRun(r: InstanceRecord, ownerTag: string): OpenRun {
  const owner = r.tags[ownerTag]?.trim();
  const hourly = r.price?.hourlyUsd;
  return {
    region: r.region,
    instanceId: r.instanceId,
    launchTime: r.launchTime,
    group: r.group,
    ...(r.name ? { name: r.name } : {}),
    ...(owner ? { owner } : {}),
    thresholdSeconds: r.thresholdSeconds + r.extensionSeconds,
    hourlyUsd: typeof hourly === 'number' && Number.isFinite(hourly) && hourly >= 0 ? hourly : null,
  };
}
