/**
 * The Bot Framework SDK is archived; moving to the Microsoft 365 Agents SDK
 * must stay a change to src/chat/teams alone. This keeps every botbuilder
 * import there.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { describe, expect, it } from 'vitest';

const ROOT = join(import.meta.dirname, '../../..');
// Static, dynamic and require() imports of botbuilder, botbuilder-core, … and botframework-*.
const SDK_IMPORT =
  /(?:from\s+|import\(\s*|require\(\s*)['"](botbuilder[\w-]*|botframework-[\w-]+)(\/[^'"]*)?['"]/;

function sourceFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) =>
    e.isDirectory() ? sourceFiles(join(dir, e.name)) : e.name.endsWith('.ts') ? [join(dir, e.name)] : [],
  );
}

describe('Bot Framework SDK boundary', () => {
  it('imports botbuilder only inside src/chat/teams', () => {
    const offenders = sourceFiles(join(ROOT, 'src'))
      .map((f) => relative(ROOT, f))
      .filter((f) => !f.startsWith('src/chat/teams/'))
      .filter((f) => SDK_IMPORT.test(readFileSync(join(ROOT, f), 'utf8')));

    expect(offenders).toEqual([]);
  });

  it('finds the imports it guards against (the check is not vacuous)', () => {
    const inside = sourceFiles(join(ROOT, 'src/chat/teams')).filter((f) =>
      SDK_IMPORT.test(readFileSync(f, 'utf8')),
    );

    expect(inside.length).toBeGreaterThan(0);
  });
});
