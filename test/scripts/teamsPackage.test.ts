/** `npm run package:teams` exit codes: 2 for bad input, 0 with the package written. */
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { runTeamsPackage } from '../../scripts/teamsPackage.js';

const APP_ID = '0f8e6b1c-3a2d-4e5f-9a7b-1c2d3e4f5a6b';

function run(argv: string[], env: Record<string, string> = {}) {
  let stdout = '';
  let stderr = '';
  const code = runTeamsPackage(argv, {
    env,
    stdout: { write: (t) => (stdout += t) },
    stderr: { write: (t) => (stderr += t) },
  });
  return { code, stdout, stderr };
}

describe('package:teams exit codes', () => {
  let dir = '';
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('exits 2 when --app-id or --domain is missing, naming both', () => {
    const r = run([]);

    expect(r.code).toBe(2);
    expect(r.stderr).toContain('needs --app-id (or MicrosoftAppId) and --domain (or TEAMS_BOT_DOMAIN)');
  });

  it('exits 2 on an unknown option and on unusable values', () => {
    const unknown = run(['--app-id', APP_ID, '--domain', 'bot.example.com', '--colour', 'red']);
    const bad = run(['--app-id', 'not-a-guid', '--domain', 'bot.example.com']);

    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toContain("unknown option '--colour'");
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain('--app-id must be');
  });

  it('exits 0 for --help, and 0 with the zip written for good options from the environment', () => {
    dir = mkdtempSync(join(tmpdir(), 'lightsout-teams-'));
    const out = join(dir, 'app.zip');

    const help = run(['--help']);
    const built = run(['--out', out], { MicrosoftAppId: APP_ID, TEAMS_BOT_DOMAIN: 'bot.example.com' });

    expect(help.code).toBe(0);
    expect(help.stdout).toContain('--app-id <guid>');
    expect(built.code).toBe(0);
    expect(built.stdout).toContain(`wrote ${out}`);
    expect(existsSync(out)).toBe(true);
  });
});
