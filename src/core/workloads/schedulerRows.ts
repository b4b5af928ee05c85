/**
 * AWS_EC2_Scheduler's DynamoDB row format, read as its users store it:
 * every value a string ("2", "False", "10"). Rows from the tables, from a JSON
 * export or from a file all go through here, so migrated data loads unchanged.
 * The S3 output fields (SSMS3BucketName, SSMS3KeyPrefixName) are accepted and ignored.
 */
// Namespace import: lets esbuild drop zod's unused locales (~360 KB) from Lambda bundles.
import * as z from 'zod';
import type { StopOverride, TierPhase, TierSpec, WorkloadSpec } from './spec.js';
import { checkSpec, readFlag, readOs, readWholeNumber, SpecProblems } from './specValidation.js';

const text = (field: string) =>
  z
    .string({ error: `${field} is required: a non-empty string` })
    .trim()
    .min(1, `${field} must not be empty`);
const optionalText = z
  .string()
  .trim()
  .optional()
  .transform((v) => (v === '' ? undefined : v));

export const workloadRowSchema = z.looseObject({
  SpecName: text('SpecName'),
  WorkloadFilterTagName: text('WorkloadFilterTagName'),
  WorkloadFilterTagValue: text('WorkloadFilterTagValue'),
  WorkloadRegion: text('WorkloadRegion'),
  TierFilterTagName: text('TierFilterTagName'),
  VPC_ID: optionalText,
  SNSTopicName: optionalText,
  DisableAllSchedulingActions: z.unknown().optional(),
  ScaleInstanceDelay: z.unknown().optional(),
});

const phaseSchema = (name: string) =>
  z.looseObject(
    {
      TierSequence: z.unknown(),
      TierSynchronization: z.unknown().optional(),
      InterTierOrchestrationDelay: z.unknown().optional(),
      TierStopOverrideFilename: optionalText,
      TierStopOverrideOperatingSystem: z.unknown().optional(),
    },
    { error: `${name} is required: a map with TierSequence and TierSynchronization` },
  );

export const tierRowSchema = z.looseObject({
  SpecName: text('SpecName'),
  TierTagValue: text('TierTagValue'),
  TierStart: phaseSchema('TierStart'),
  TierStop: phaseSchema('TierStop'),
  TierScaling: z
    .record(z.string(), z.string({ error: 'TierScaling values must be instance type strings' }))
    .optional(),
});

export type WorkloadRow = z.infer<typeof workloadRowSchema>;
export type TierRow = z.infer<typeof tierRowSchema>;

/** Specs that passed every check, and one line per problem for the rest. */
export interface SpecLoad {
  specs: WorkloadSpec[];
  problems: string[];
}

const issuesText = (error: z.ZodError) =>
  error.issues
    .map((i) => {
      const path = i.path.join('.');
      return path && !i.message.startsWith(path) ? `${path}: ${i.message}` : i.message;
    })
    .join('; ');

function readPhase(
  raw: z.infer<ReturnType<typeof phaseSchema>>,
  name: 'TierStart' | 'TierStop',
  where: string,
  problems: SpecProblems,
): TierPhase & { override?: StopOverride } {
  const phase: TierPhase & { override?: StopOverride } = {
    sequence: readWholeNumber(raw.TierSequence, `${name}.TierSequence`, where, problems) ?? 0,
    synchronous: readFlag(raw.TierSynchronization, `${name}.TierSynchronization`, where, problems, false),
    delaySeconds:
      readWholeNumber(
        raw.InterTierOrchestrationDelay,
        `${name}.InterTierOrchestrationDelay`,
        where,
        problems,
        0,
      ) ?? 0,
  };
  if (name === 'TierStop' && raw.TierStopOverrideFilename) {
    if (raw.TierStopOverrideOperatingSystem === undefined) {
      problems.add(
        where,
        'TierStop.TierStopOverrideOperatingSystem is required with TierStopOverrideFilename: Linux or Windows',
      );
    }
    phase.override = {
      filename: raw.TierStopOverrideFilename,
      os: readOs(
        raw.TierStopOverrideOperatingSystem,
        'TierStop.TierStopOverrideOperatingSystem',
        where,
        problems,
      ),
    };
  }
  return phase;
}

/** One TierSpecification row → tier, or undefined with problems recorded. */
export function tierFromRow(
  row: unknown,
  index: number,
  problems: SpecProblems,
): (TierSpec & { spec: string }) | undefined {
  const parsed = tierRowSchema.safeParse(row);
  if (!parsed.success) {
    problems.add(`TierSpecification row ${index + 1}`, issuesText(parsed.error));
    return undefined;
  }
  const r = parsed.data;
  const where = `workload "${r.SpecName}", tier "${r.TierTagValue}"`;
  const before = problems.list.length;
  const tier = {
    spec: r.SpecName,
    name: r.TierTagValue,
    start: readPhase(r.TierStart, 'TierStart', where, problems),
    stop: readPhase(r.TierStop, 'TierStop', where, problems),
    scaling: { ...(r.TierScaling ?? {}) },
  };
  return problems.list.length === before ? tier : undefined;
}

/** Assembles workloads from both tables' rows; a workload with any problem is left out. */
export function specsFromOrchestratorRows(workloadRows: unknown[], tierRows: unknown[]): SpecLoad {
  const problems = new SpecProblems();
  const tiersBySpec = new Map<string, TierSpec[]>();
  const badSpecs = new Set<string>();
  tierRows.forEach((row, i) => {
    const before = problems.list.length;
    const tier = tierFromRow(row, i, problems);
    if (tier) {
      const { spec, ...rest } = tier;
      tiersBySpec.set(spec, [...(tiersBySpec.get(spec) ?? []), rest]);
    } else if (problems.list.length > before) {
      const name = (row as { SpecName?: unknown } | null)?.SpecName;
      if (typeof name === 'string') badSpecs.add(name);
    }
  });

  const specs: WorkloadSpec[] = [];
  const known = new Set<string>();
  workloadRows.forEach((row, i) => {
    const parsed = workloadRowSchema.safeParse(row);
    if (!parsed.success) {
      problems.add(`WorkloadSpecification row ${i + 1}`, issuesText(parsed.error));
      return;
    }
    const r = parsed.data;
    const where = `workload "${r.SpecName}"`;
    if (known.has(r.SpecName)) {
      problems.add(where, 'is defined more than once; keep one WorkloadSpecification row per SpecName');
      return;
    }
    known.add(r.SpecName);
    const before = problems.list.length;
    const spec: WorkloadSpec = {
      name: r.SpecName,
      region: r.WorkloadRegion,
      workloadTag: { key: r.WorkloadFilterTagName, value: r.WorkloadFilterTagValue },
      tierTagKey: r.TierFilterTagName,
      vpcId: r.VPC_ID,
      snsTopicName: r.SNSTopicName,
      disabled: readFlag(
        r.DisableAllSchedulingActions,
        'DisableAllSchedulingActions',
        where,
        problems,
        false,
      ),
      scaleInstanceDelaySeconds:
        readWholeNumber(r.ScaleInstanceDelay, 'ScaleInstanceDelay', where, problems, 0) ?? 0,
      tiers: tiersBySpec.get(r.SpecName) ?? [],
    };
    checkSpec(spec, problems);
    if (problems.list.length === before && !badSpecs.has(r.SpecName)) specs.push(spec);
  });
  for (const name of tiersBySpec.keys()) {
    if (!known.has(name)) {
      problems.add(
        `workload "${name}"`,
        'has tier rows but no WorkloadSpecification row; add one or fix SpecName',
      );
    }
  }
  return { specs, problems: problems.list };
}
