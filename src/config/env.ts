/**
 * Field readers for the config loader. Each checks its variable with a zod
 * schema (the validation library of the workload specs and the Lambda event
 * parsers too) and returns the value, or records a problem naming the
 * variable and what it expects; the loader reports every problem at once so a
 * bad deployment is fixed in one go.
 */
// Namespace import: lets esbuild drop zod's unused locales from Lambda bundles.
import * as z from 'zod';
import { type DurationBounds, formatDuration, parseDuration } from '../core/duration.js';

const TRUE = /^(true|1|yes|on)$/i;
const FALSE = /^(false|0|no|off)$/i;

export type Env = Record<string, string | undefined>;

/** An AWS region name such as us-east-1 or ap-southeast-2 (settings and the CLI's --region). */
export const AWS_REGION_PATTERN = /^[a-z]{2}(-[a-z]+)+-\d$/;

export class EnvReader {
  readonly problems: string[] = [];

  constructor(private readonly env: Env) {}

  private raw(name: string): string | undefined {
    const v = this.env[name];
    return v === undefined || v.trim() === '' ? undefined : v.trim();
  }

  /** Names of the variables that are set, for settings whose names vary (the Agents SDK's `connections__<id>__…`). */
  names(): string[] {
    return Object.keys(this.env).filter((k) => this.raw(k) !== undefined);
  }

  /**
   * The variable checked by `schema`: `fallback` when unset; else the parsed
   * value, or `fallback` plus the problem `<name> <problem(raw value, zod's message)>`.
   */
  private check<T>(
    name: string,
    schema: z.ZodType<T>,
    fallback: T,
    problem: (raw: string, message: string) => string,
  ): T {
    const v = this.raw(name);
    if (v === undefined) return fallback;
    const parsed = schema.safeParse(v);
    if (parsed.success) return parsed.data;
    this.problems.push(`${name} ${problem(v, parsed.error.issues[0]?.message ?? 'is invalid')}`);
    return fallback;
  }

  has(name: string): boolean {
    return this.raw(name) !== undefined;
  }

  string(name: string, fallback: string): string;
  string(name: string): string | undefined;
  string(name: string, fallback?: string): string | undefined {
    return this.raw(name) ?? fallback;
  }

  required(name: string, expects: string): string {
    const v = this.raw(name);
    if (v === undefined) {
      this.problems.push(`${name} is required: ${expects}`);
      return '';
    }
    return v;
  }

  oneOf<T extends string>(name: string, allowed: readonly T[], fallback: T): T {
    const schema = z
      .string()
      .transform((v) => v.toLowerCase())
      .pipe(z.enum(allowed as readonly [T, ...T[]]));
    return this.check(name, schema, fallback, (v) => `must be one of ${allowed.join(', ')}; got "${v}"`);
  }

  int(name: string, fallback: number, { min, max }: { min?: number; max?: number } = {}): number {
    let schema = z.coerce.number().int();
    if (min !== undefined) schema = schema.min(min);
    if (max !== undefined) schema = schema.max(max);
    const range = [min !== undefined ? `>= ${min}` : '', max !== undefined ? `<= ${max}` : '']
      .filter(Boolean)
      .join(' and ');
    return this.check(
      name,
      schema,
      fallback,
      (v) => `must be a whole number${range ? ` ${range}` : ''}; got "${v}"`,
    );
  }

  bool(name: string, fallback: boolean): boolean {
    const schema = z
      .string()
      .refine((v) => TRUE.test(v) || FALSE.test(v))
      .transform((v) => TRUE.test(v));
    return this.check(name, schema, fallback, (v) => `must be true or false; got "${v}"`);
  }

  /** Duration in seconds, e.g. `12h`, `90m`, `1h30m`; a bare number means `bareUnit`. */
  duration(name: string, fallbackSeconds: number, bounds: DurationBounds = {}): number {
    const schema = z.string().transform((v, ctx) => {
      const parsed = parseDuration(v, bounds);
      if (parsed.ok) return parsed.seconds;
      ctx.addIssue({ code: 'custom', message: parsed.reason });
      return z.NEVER;
    });
    return this.check(
      name,
      schema,
      fallbackSeconds,
      (v, reason) => `must be a duration such as ${formatDuration(fallbackSeconds)}; "${v}" ${reason}`,
    );
  }

  /** Comma- or space-separated list. */
  list(name: string, fallback: string[] = []): string[] {
    const v = this.raw(name);
    if (v === undefined) return fallback;
    return v
      .split(/[\s,]+/)
      .map((s) => s.trim())
      .filter(Boolean);
  }

  /** A list (as `list`) whose every item must match `re`; each bad item is a problem naming it. */
  listMatching(name: string, re: RegExp, expects: string, fallback: string[] = []): string[] {
    const item = z.string().regex(re);
    const items = this.list(name, fallback);
    for (const bad of items.filter((i) => !item.safeParse(i).success)) {
      this.problems.push(`${name} must list ${expects}; got "${bad}"`);
    }
    return items;
  }

  matching(name: string, re: RegExp, expects: string, fallback: string): string;
  matching(name: string, re: RegExp, expects: string): string | undefined;
  matching(name: string, re: RegExp, expects: string, fallback?: string): string | undefined {
    return this.check<string | undefined>(
      name,
      z.string().regex(re),
      fallback,
      (v) => `must be ${expects}; got "${v}"`,
    );
  }

  url(name: string): string | undefined {
    const schema = z.string().refine((v) => URL.canParse(v));
    return this.check<string | undefined>(
      name,
      schema,
      undefined,
      (v) => `must be an absolute URL; got "${v}"`,
    );
  }

  /**
   * Per-group id lists such as `web=U123,S456;db=U789` (the chat allow-lists).
   * `ids` validates and normalises one group's ids, recording its own problems.
   */
  groupLists(name: string, example: string, ids: (raw: string[]) => string[]): Record<string, string[]> {
    const v = this.raw(name);
    if (v === undefined) return {};
    const out: Record<string, string[]> = {};
    for (const entry of v
      .split(';')
      .map((e) => e.trim())
      .filter(Boolean)) {
      const m = /^([a-z0-9]+)\s*=\s*(.+)$/.exec(entry);
      if (!m) {
        this.problems.push(`${name} must look like "${example}"; got "${entry}"`);
        continue;
      }
      out[m[1]!] = ids(m[2]!.split(/[\s,]+/).filter(Boolean));
    }
    return out;
  }
}
