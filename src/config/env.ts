/**
 * Field readers for the config loader. Each returns a value or records a
 * problem naming the variable and what it expects; the loader reports every
 * problem at once so a bad deployment is fixed in one go.
 */
import { type DurationBounds, formatDuration, parseDuration } from '../core/duration.js';

export type Env = Record<string, string | undefined>;

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
    const v = this.raw(name);
    if (v === undefined) return fallback;
    const lower = v.toLowerCase() as T;
    if (!allowed.includes(lower)) {
      this.problems.push(`${name} must be one of ${allowed.join(', ')}; got "${v}"`);
      return fallback;
    }
    return lower;
  }

  int(name: string, fallback: number, { min, max }: { min?: number; max?: number } = {}): number {
    const v = this.raw(name);
    if (v === undefined) return fallback;
    const n = Number(v);
    if (!Number.isInteger(n) || (min !== undefined && n < min) || (max !== undefined && n > max)) {
      const range = [min !== undefined ? `>= ${min}` : '', max !== undefined ? `<= ${max}` : '']
        .filter(Boolean)
        .join(' and ');
      this.problems.push(`${name} must be a whole number${range ? ` ${range}` : ''}; got "${v}"`);
      return fallback;
    }
    return n;
  }

  bool(name: string, fallback: boolean): boolean {
    const v = this.raw(name);
    if (v === undefined) return fallback;
    if (/^(true|1|yes|on)$/i.test(v)) return true;
    if (/^(false|0|no|off)$/i.test(v)) return false;
    this.problems.push(`${name} must be true or false; got "${v}"`);
    return fallback;
  }

  /** Duration in seconds, e.g. `12h`, `90m`, `1h30m`; a bare number means `bareUnit`. */
  duration(name: string, fallbackSeconds: number, bounds: DurationBounds = {}): number {
    const v = this.raw(name);
    if (v === undefined) return fallbackSeconds;
    const parsed = parseDuration(v, bounds);
    if (!parsed.ok) {
      this.problems.push(
        `${name} must be a duration such as ${formatDuration(fallbackSeconds)}; "${v}" ${parsed.reason}`,
      );
      return fallbackSeconds;
    }
    return parsed.seconds;
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

  matching(name: string, re: RegExp, expects: string, fallback: string): string;
  matching(name: string, re: RegExp, expects: string): string | undefined;
  matching(name: string, re: RegExp, expects: string, fallback?: string): string | undefined {
    const v = this.raw(name);
    if (v === undefined) return fallback;
    if (!re.test(v)) {
      this.problems.push(`${name} must be ${expects}; got "${v}"`);
      return fallback;
    }
    return v;
  }

  url(name: string): string | undefined {
    const v = this.raw(name);
    if (v === undefined) return undefined;
    try {
      new URL(v);
      return v;
    } catch {
      this.problems.push(`${name} must be an absolute URL; got "${v}"`);
      return undefined;
    }
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
