/**
 * The dependency rule of the source tree, and a checker for it. The rule keeps
 * the layers described in docs/architecture.md: the pure core depends on
 * nothing of ours, ports speak only in core types, adapters and use cases never
 * reach into a runtime's wiring, and chat adapters never touch AWS or SQLite
 * directly. `test/architecture/layers.test.ts` runs it over `src/`.
 *
 * Imports are read with a small lexer rather than the TypeScript compiler: the
 * compiler in use (TypeScript 7) has no JavaScript API, and the rule only needs
 * module specifiers. Type-only imports, re-exports and dynamic `import()` all
 * count: a type import is still a dependency on the layer that owns the type.
 */
import path from 'node:path';

export interface LayerRule {
  /** Shown in a violation, so whoever breaks the rule reads why it exists. */
  name: string;
  /** Files this rule applies to: path prefixes relative to the repository root. */
  from: string[];
  /** If set, files under `from` may import only these prefixes (plus their own). */
  allowOnly?: string[];
  /** Prefixes that files under `from` must never import. */
  forbid?: string[];
}

export interface SourceFile {
  /** Repository-relative, with forward slashes: `src/core/instance.ts`. */
  path: string;
  text: string;
}

export interface Violation {
  rule: string;
  file: string;
  imports: string;
}

const RUNTIMES = ['src/lambda/', 'src/local/', 'src/cli/', 'src/wiring/'];

export const LAYER_RULES: LayerRule[] = [
  {
    name: 'core imports nothing of ours outside core',
    from: ['src/core/'],
    allowOnly: ['src/core/'],
  },
  {
    name: 'ports import only core',
    from: ['src/ports/'],
    allowOnly: ['src/core/', 'src/ports/'],
  },
  {
    name: 'adapters and services never import runtimes',
    from: ['src/aws/', 'src/sqlite/', 'src/services/'],
    forbid: RUNTIMES,
  },
  {
    name: 'chat code never imports AWS or SQLite adapters',
    from: ['src/chat/'],
    forbid: ['src/aws/', 'src/sqlite/'],
  },
  {
    name: 'chat code never imports runtimes',
    from: ['src/chat/'],
    forbid: RUNTIMES,
  },
];

/** Source text with comments blanked out, strings kept, so commented-out imports don't count. */
function withoutComments(src: string): string {
  let out = '';
  let i = 0;
  while (i < src.length) {
    const c = src[i];
    const next = src[i + 1];
    if (c === '/' && next === '/') {
      while (i < src.length && src[i] !== '\n') i++;
    } else if (c === '/' && next === '*') {
      const end = src.indexOf('*/', i + 2);
      i = end < 0 ? src.length : end + 2;
      out += ' ';
    } else if (c === '"' || c === "'" || c === '`') {
      let j = i + 1;
      while (j < src.length && src[j] !== c) j += src[j] === '\\' ? 2 : 1;
      out += src.slice(i, j + 1);
      i = j + 1;
    } else {
      out += c;
      i++;
    }
  }
  return out;
}

// `import … from '…'`, `export … from '…'`, `import '…'` and `import('…')`.
const SPECIFIER =
  /\b(?:import|export)\b[^'"`;()]*?\bfrom\s*(['"])([^'"\n]+)\1|\bimport\s*(['"])([^'"\n]+)\3|\bimport\s*\(\s*(['"])([^'"\n]+)\5/g;

/** Every module specifier a TypeScript file imports or re-exports. */
export function importSpecifiers(text: string): string[] {
  return [...withoutComments(text).matchAll(SPECIFIER)].map((m) => (m[2] ?? m[4] ?? m[6]) as string);
}

/** Repository-relative path a relative specifier points at (`.js` as written; the rule only needs the folder). */
function resolveRelative(fromFile: string, specifier: string): string {
  return path.posix.normalize(path.posix.join(path.posix.dirname(fromFile), specifier));
}

const under = (file: string, prefixes: string[]): boolean => prefixes.some((p) => file.startsWith(p));

/** Every import in `files` that breaks one of `rules`. Package imports are not ours and never break a rule. */
export function checkLayers(files: SourceFile[], rules: LayerRule[] = LAYER_RULES): Violation[] {
  const violations: Violation[] = [];
  for (const file of files) {
    const applicable = rules.filter((r) => under(file.path, r.from));
    if (applicable.length === 0) continue;
    for (const specifier of importSpecifiers(file.text)) {
      if (!specifier.startsWith('.')) continue;
      const target = resolveRelative(file.path, specifier);
      for (const rule of applicable) {
        const allowed = rule.allowOnly ? under(target, rule.allowOnly) : true;
        const forbidden = rule.forbid ? under(target, rule.forbid) : false;
        if (!allowed || forbidden) violations.push({ rule: rule.name, file: file.path, imports: target });
      }
    }
  }
  return violations;
}
