/**
 * Checks shared by both spec formats (AWS_EC2_Scheduler's rows and
 * workloads.yaml). Every problem names the workload, the tier and the field,
 * says what was found and what works, so a bad spec is fixed in one pass.
 * Field values are checked with zod schemas, as the config loader checks
 * environment variables.
 */
// Namespace import: lets esbuild drop zod's unused locales from Lambda bundles.
import * as z from 'zod';
import { OVERRIDE_OSES, type OverrideOs, type WorkloadAction, type WorkloadSpec } from './spec.js';

/** Collects problems under a prefix such as `workload "shop", tier "Role_Web"`. */
export class SpecProblems {
  readonly list: string[] = [];

  add(where: string, message: string): void {
    this.list.push(`${where}: ${message}`);
  }
}

const describeValue = (v: unknown): string => (typeof v === 'string' ? `"${v}"` : JSON.stringify(v));

/** `value` checked by `schema`, or `fallback` plus the problem `<field> <problem>`. */
function checkField<T, F>(
  schema: z.ZodType<T>,
  value: unknown,
  fallback: F,
  problem: () => string,
  where: string,
  problems: SpecProblems,
): T | F {
  const parsed = schema.safeParse(value);
  if (parsed.success) return parsed.data;
  problems.add(where, problem());
  return fallback;
}

const isBlank = (v: unknown): boolean =>
  v === undefined || v === null || (typeof v === 'string' && v.trim() === '');

// A number, or a string of digits as AWS_EC2_Scheduler's table stores it.
const WholeNumberSchema = z
  .union([
    z.number(),
    z
      .string()
      .regex(/^\s*\d+\s*$/)
      .transform(Number),
  ])
  .pipe(z.number().int().nonnegative().max(Number.MAX_SAFE_INTEGER));

const TRUE_WORDS = ['true', '1', 'yes'];
const FALSE_WORDS = ['false', '0', 'no'];
const FlagSchema = z.union([
  z.boolean(),
  z
    .unknown()
    .transform((v) => String(v).trim().toLowerCase())
    .pipe(z.enum([...TRUE_WORDS, ...FALSE_WORDS]))
    .transform((s) => TRUE_WORDS.includes(s)),
]);

/** Whole non-negative number, from a string ("10") or a number; undefined → fallback. */
export function readWholeNumber(
  value: unknown,
  field: string,
  where: string,
  problems: SpecProblems,
  fallback?: number,
): number | undefined {
  if (isBlank(value)) {
    if (fallback === undefined) problems.add(where, `${field} is required: a whole number such as "0"`);
    return fallback;
  }
  const problem = () => `${field} must be a whole number of 0 or more; got ${describeValue(value)}`;
  return checkField(WholeNumberSchema, value, fallback ?? 0, problem, where, problems);
}

/** "True"/"False"/"1"/"0" as AWS_EC2_Scheduler stores them, or a real boolean. */
export function readFlag(
  value: unknown,
  field: string,
  where: string,
  problems: SpecProblems,
  fallback: boolean,
): boolean {
  if (value === undefined || value === null || value === '') return fallback;
  const problem = () => `${field} must be "True" or "False" (or "1"/"0"); got ${describeValue(value)}`;
  return checkField(FlagSchema, value, fallback, problem, where, problems);
}

export function readOs(value: unknown, field: string, where: string, problems: SpecProblems): OverrideOs {
  const schema = z
    .unknown()
    .transform((v) => OVERRIDE_OSES.find((os) => os.toLowerCase() === String(v).trim().toLowerCase()))
    .pipe(z.enum(OVERRIDE_OSES));
  const problem = () => `${field} must be ${OVERRIDE_OSES.join(' or ')}; got ${describeValue(value)}`;
  return checkField(schema, value, 'Linux' as const, problem, where, problems);
}

// Family (letters, digits, hyphens: t2, c7gn, u-6tb1, mac2-m2pro) dot size.
const INSTANCE_TYPE_RE = /^[a-z][a-z0-9-]*\.(nano|micro|small|medium|large|xlarge|\d+xlarge|metal(-\d+xl)?)$/;

export const isInstanceType = (s: string): boolean => INSTANCE_TYPE_RE.test(s);

const tierWhere = (spec: WorkloadSpec, tier: string) => `workload "${spec.name}", tier "${tier}"`;

/** Semantic checks on an assembled spec: tiers exist, are unique, sequences 0..n-1, types valid. */
export function checkSpec(spec: WorkloadSpec, problems: SpecProblems): void {
  const where = `workload "${spec.name}"`;
  if (spec.tiers.length === 0) {
    problems.add(where, 'has no tiers; add at least one tier (TierSpecification row) for it');
    return;
  }
  const seen = new Set<string>();
  for (const tier of spec.tiers) {
    if (seen.has(tier.name)) {
      problems.add(
        where,
        `tier "${tier.name}" is defined more than once; keep one definition per tier tag value`,
      );
    }
    seen.add(tier.name);
    for (const [profile, type] of Object.entries(tier.scaling)) {
      if (!isInstanceType(type)) {
        problems.add(
          tierWhere(spec, tier.name),
          `scaling profile "${profile}" names "${type}", which is not an EC2 instance type (examples: t3.micro, m5.large, c6g.2xlarge)`,
        );
      }
    }
  }
  for (const action of ['start', 'stop'] as WorkloadAction[]) checkSequences(spec, action, problems);
}

function checkSequences(spec: WorkloadSpec, action: WorkloadAction, problems: SpecProblems): void {
  const field = action === 'start' ? 'TierStart.TierSequence' : 'TierStop.TierSequence';
  const bySequence = new Map<number, string[]>();
  for (const tier of spec.tiers) {
    const list = bySequence.get(tier[action].sequence) ?? [];
    list.push(tier.name);
    bySequence.set(tier[action].sequence, list);
  }
  for (const [sequence, names] of bySequence) {
    if (names.length > 1) {
      problems.add(
        `workload "${spec.name}"`,
        `${field} ${sequence} is used by ${names.map((n) => `"${n}"`).join(' and ')}; each tier needs its own place in the ${action} order`,
      );
    }
  }
  if ([...bySequence.values()].some((names) => names.length > 1)) return;
  const found = [...bySequence.keys()].sort((a, b) => a - b);
  const missing = spec.tiers.map((_, i) => i).filter((i) => !bySequence.has(i));
  if (missing.length) {
    problems.add(
      `workload "${spec.name}"`,
      `${field} values must run 0 to ${spec.tiers.length - 1} without gaps (zero-based); found ${found.join(', ')}, missing ${missing.join(', ')}`,
    );
  }
}
