/**
 * Cloud Map service references, as written in the `CloudMapService` tag and in
 * config: `srv-abc123[@region][,srv-def456@eu-west-1…]`. Without `@region`
 * the service is looked up in a default region (the instance's own for the
 * tag, the home region for config). Pure: bad entries become warnings.
 */

export const CLOUD_MAP_SERVICE_TAG = 'CloudMapService';

export interface CloudMapServiceRef {
  serviceId: string;
  region: string;
}

const SERVICE_ID_RE = /^srv-[a-z0-9]{1,64}$/;
const REGION_RE = /^[a-z]{2}(-[a-z]+)+-\d$/;

export function parseCloudMapServices(
  value: string | undefined,
  defaultRegion: string,
  source = CLOUD_MAP_SERVICE_TAG,
): { refs: CloudMapServiceRef[]; warnings: string[] } {
  const refs: CloudMapServiceRef[] = [];
  const warnings: string[] = [];
  if (value === undefined || value.trim() === '') return { refs, warnings };
  for (const raw of value.split(/[\s,]+/)) {
    const entry = raw.trim();
    if (entry === '') continue;
    const [serviceId = '', region = defaultRegion, ...rest] = entry.split('@');
    if (!SERVICE_ID_RE.test(serviceId) || rest.length > 0) {
      warnings.push(
        `${source} entry "${entry}" is not a Cloud Map service id (example: srv-abc123 or srv-abc123@eu-west-1); ignored`,
      );
      continue;
    }
    if (!REGION_RE.test(region)) {
      warnings.push(
        `${source} entry "${entry}": "${region}" is not an AWS region such as eu-west-1; ignored`,
      );
      continue;
    }
    if (!refs.some((r) => r.serviceId === serviceId && r.region === region)) refs.push({ serviceId, region });
  }
  return { refs, warnings };
}

/** Services from the tag first, then config, without duplicates. */
export function mergeServiceRefs(...lists: CloudMapServiceRef[][]): CloudMapServiceRef[] {
  const out: CloudMapServiceRef[] = [];
  for (const ref of lists.flat()) {
    if (!out.some((r) => r.serviceId === ref.serviceId && r.region === ref.region)) out.push(ref);
  }
  return out;
}
