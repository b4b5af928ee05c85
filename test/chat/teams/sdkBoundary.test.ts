/**
 * The Teams SDK stays behind src/chat/teams: every import of the Microsoft 365
 * Agents SDK is there (through agentsSdk.ts), so a future SDK move is a change
 * to that folder alone, and nothing imports the retired Bot Framework SDK.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { describe, expect, it } from 'vitest';

const ROOT = join(import.meta.dirname, '../../..');
const importOf = (pkg: string) =>
  new RegExp(`(?:from\\s+|import\\(\\s*|require\\(\\s*)['"](${pkg})(\\/[^'"]*)?['"]`);
// Static, dynamic and require() imports of @microsoft/agents-*.
const AGENTS_SDK = importOf('@microsoft/agents-[\\w-]+');
// botbuilder, botbuilder-core, … and botframework-*.
const BOT_FRAMEWORK = importOf('botbuilder[\\w-]*|botframework-[\\w-]+');

function sourceFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) =>
    e.isDirectory() ? sourceFiles(join(dir, e.name)) : e.name.endsWith('.ts') ? [join(dir, e.name)] : [],
  );
}

const importing = (dir: string, re: RegExp) =>
  sourceFiles(join(ROOT, dir))
    .map((f) => relative(ROOT, f))
    .filter((f) => re.test(readFileSync(join(ROOT, f), 'utf8')));

describe('Teams SDK boundary', () => {
  it('imports the Agents SDK only inside src/chat/teams', () => {
    const offenders = importing('src', AGENTS_SDK).filter((f) => !f.startsWith('src/chat/teams/'));

    expect(offenders).toEqual([]);
  });

  it('imports the Agents SDK in one module there (the check is not vacuous)', () => {
    expect(importing('src/chat/teams', AGENTS_SDK)).toEqual(['src/chat/teams/agentsSdk.ts']);
  });

  it('imports the retired Bot Framework SDK nowhere', () => {
    expect([...importing('src', BOT_FRAMEWORK), ...importing('test', BOT_FRAMEWORK)]).toEqual([]);
  });
});
