/** `npm run bench` arguments: `--help` lists the benches, a wrong name or flag stops before any bench runs. */
import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { parseBenchArgs } from '../../bench/args.js';

const RUN = join(import.meta.dirname, '../../bench/run.ts');

/** bench/run.ts as `npm run bench -- …` runs it. */
const bench = (args: string[]) =>
  promisify(execFile)(process.execPath, ['--import', 'tsx', RUN, ...args]).then(
    (r) => ({ code: 0, stdout: r.stdout, stderr: r.stderr }),
    (e: { code: number; stdout: string; stderr: string }) => ({
      code: e.code,
      stdout: e.stdout,
      stderr: e.stderr,
    }),
  );

const BENCHES = { monitor: { about: 'm' }, slack: { about: 's' } };

describe('npm run bench arguments', () => {
  it('--help lists every bench and exits 0 without running one', async () => {
    const { code, stdout } = await bench(['--help']);

    expect(code).toBe(0);
    for (const name of ['monitor', 'cleanup', 'slack', 'bundles', 'workloads', 'clicks', 'idle']) {
      expect(stdout).toMatch(new RegExp(`^  ${name} +\\S`, 'm'));
    }
    expect(stdout).not.toContain('===');
  });

  it('an unknown bench name exits 2, naming the benches, without running one', async () => {
    const { code, stdout, stderr } = await bench(['monitr']);

    expect(code).toBe(2);
    expect(stderr).toContain(
      'unknown bench "monitr"; the benches are monitor, cleanup, slack, bundles, workloads',
    );
    expect(stdout).toBe('');
  });

  it('keeps the named benches in their usual order, or all of them', () => {
    expect(parseBenchArgs(['slack', 'monitor'], BENCHES)).toEqual({
      kind: 'run',
      names: ['monitor', 'slack'],
    });
    expect(parseBenchArgs(['--skip-moto', '--instances=50'], BENCHES)).toEqual({
      kind: 'run',
      names: ['monitor', 'slack'],
    });
  });

  it('refuses an unknown flag and a malformed --instances', () => {
    expect(parseBenchArgs(['--fast'], BENCHES)).toMatchObject({
      kind: 'error',
      message: expect.stringContaining("Unknown option '--fast'"),
    });
    expect(parseBenchArgs(['--instances=lots'], BENCHES)).toMatchObject({
      kind: 'error',
      message: '--instances must be a whole number above 0; got "lots"',
    });
    expect(parseBenchArgs(['--instances', '50'], BENCHES)).toMatchObject({ kind: 'error' });
  });
});
