/**
 * The `workloads.yaml` / JSON document: workloads in a readable native form,
 * and/or AWS_EC2_Scheduler's rows pasted as they are (`WorkloadSpecification`
 * and `TierSpecification` lists), so a table export can be committed to git
 * unchanged. Input is the parsed document; reading and YAML decoding live in
 * the file spec source.
 *
 *   workloads:
 *     - name: shop
 *       region: us-west-2
 *       workloadTag: { key: Environment, value: ENV001 }
 *       tierTag: Role
 *       tiers:
 *         - name: Role_Web
 *           start: { sequence: 2 }
 *           stop: { sequence: 0, delay: 10, overrideFile: /tmp/StopOverride, overrideOs: Linux }
 *           scaling: { default: t2.nano, big: c4.large }
 */
// Namespace import: lets esbuild drop zod's unused locales (~360 KB) from Lambda bundles.
import * as z from 'zod';
import { type SpecLoad, specsFromOrchestratorRows } from './schedulerRows.js';
import type { TierSpec, WorkloadSpec } from './spec.js';
import { checkSpec, readFlag, readOs, readWholeNumber, SpecProblems } from './specValidation.js';

const name = (field: string) =>
  z
    .string({ error: `${field} is required: a non-empty string` })
    .trim()
    .min(1, `${field} must not be empty`);
const scalar = z.union([z.string(), z.number(), z.boolean()]).optional();

const phase = z.strictObject({
  sequence: scalar,
  synchronous: scalar,
  delay: scalar,
  overrideFile: z.string().trim().min(1).optional(),
  overrideOs: z.string().optional(),
});

const tier = z.strictObject({
  name: name('name'),
  start: phase,
  stop: phase,
  scaling: z
    .record(z.string(), z.string({ error: 'scaling values must be instance types such as t3.micro' }))
    .optional(),
});

const workload = z.strictObject({
  name: name('name'),
  region: name('region'),
  workloadTag: z.strictObject({ key: name('workloadTag.key'), value: name('workloadTag.value') }),
  tierTag: name('tierTag'),
  vpcId: z.string().trim().min(1).optional(),
  snsTopic: z.string().trim().min(1).optional(),
  disabled: scalar,
  scaleInstanceDelay: scalar,
  tiers: z.array(tier).optional(),
});

export const specFileSchema = z.strictObject({
  workloads: z.array(z.unknown()).optional(),
  WorkloadSpecification: z.array(z.unknown()).optional(),
  TierSpecification: z.array(z.unknown()).optional(),
});

const issuesText = (error: z.ZodError) =>
  error.issues
    .map((i) => {
      const path = i.path.join('.');
      return path && !i.message.startsWith(path) ? `${path}: ${i.message}` : i.message;
    })
    .join('; ');

function nativeTier(raw: z.infer<typeof tier>, spec: string, problems: SpecProblems): TierSpec {
  const where = `workload "${spec}", tier "${raw.name}"`;
  const readPhase = (p: z.infer<typeof phase>, dir: 'start' | 'stop') => ({
    sequence: readWholeNumber(p.sequence, `${dir}.sequence`, where, problems) ?? 0,
    synchronous: readFlag(p.synchronous, `${dir}.synchronous`, where, problems, false),
    delaySeconds: readWholeNumber(p.delay, `${dir}.delay`, where, problems, 0) ?? 0,
  });
  if (raw.start.overrideFile || raw.start.overrideOs) {
    problems.add(where, 'start.overrideFile/overrideOs are only used on stop; move them under stop');
  }
  const stop = readPhase(raw.stop, 'stop');
  const override = raw.stop.overrideFile
    ? {
        filename: raw.stop.overrideFile,
        os: readOs(raw.stop.overrideOs ?? 'Linux', 'stop.overrideOs', where, problems),
      }
    : undefined;
  return {
    name: raw.name,
    start: readPhase(raw.start, 'start'),
    stop: { ...stop, override },
    scaling: { ...(raw.scaling ?? {}) },
  };
}

function nativeWorkload(raw: unknown, index: number, problems: SpecProblems): WorkloadSpec | undefined {
  const parsed = workload.safeParse(raw);
  if (!parsed.success) {
    const label = (raw as { name?: unknown } | null)?.name;
    problems.add(
      typeof label === 'string' ? `workload "${label}"` : `workloads[${index}]`,
      issuesText(parsed.error),
    );
    return undefined;
  }
  const w = parsed.data;
  const where = `workload "${w.name}"`;
  const spec: WorkloadSpec = {
    name: w.name,
    region: w.region,
    workloadTag: w.workloadTag,
    tierTagKey: w.tierTag,
    vpcId: w.vpcId,
    snsTopicName: w.snsTopic,
    disabled: readFlag(w.disabled, 'disabled', where, problems, false),
    scaleInstanceDelaySeconds:
      readWholeNumber(w.scaleInstanceDelay, 'scaleInstanceDelay', where, problems, 0) ?? 0,
    tiers: (w.tiers ?? []).map((t) => nativeTier(t, w.name, problems)),
  };
  checkSpec(spec, problems);
  return spec;
}

/** Specs from a parsed workloads.yaml/JSON document; bad workloads are reported, good ones kept. */
export function specsFromDocument(doc: unknown): SpecLoad {
  if (doc === null || doc === undefined) return { specs: [], problems: [] };
  const parsed = specFileSchema.safeParse(doc);
  if (!parsed.success) {
    return {
      specs: [],
      problems: [
        `the file must be a map with "workloads" (and/or AWS_EC2_Scheduler's "WorkloadSpecification" and "TierSpecification" lists): ${issuesText(parsed.error)}`,
      ],
    };
  }
  const problems = new SpecProblems();
  const specs: WorkloadSpec[] = [];
  (parsed.data.workloads ?? []).forEach((raw, i) => {
    const before = problems.list.length;
    const spec = nativeWorkload(raw, i, problems);
    if (spec && specs.some((s) => s.name === spec.name)) {
      problems.add(`workload "${spec.name}"`, 'is defined more than once; keep one entry per name');
    } else if (spec && problems.list.length === before) {
      specs.push(spec);
    }
  });
  const rows = specsFromOrchestratorRows(
    parsed.data.WorkloadSpecification ?? [],
    parsed.data.TierSpecification ?? [],
  );
  problems.list.push(...rows.problems);
  const names = new Set(specs.map((s) => s.name));
  for (const spec of rows.specs) {
    if (names.has(spec.name)) {
      problems.add(
        `workload "${spec.name}"`,
        'is defined both under "workloads" and as AWS_EC2_Scheduler rows; keep one',
      );
    } else {
      specs.push(spec);
    }
  }
  return { specs, problems: problems.list };
}
