/**
 * The `lightsout` CLI against moto: spawned from source as `npm run lightsout`
 * runs it, with the endpoint and region from the environment. The packed and
 * installed binary is exercised by `npm run check:package` (scripts/checkPackage.ts).
 */
import { execFile } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { EC2Client, RunInstancesCommand } from '@aws-sdk/client-ec2';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli } from '../../src/cli/program.js';
import { openDatabase } from '../../src/sqlite/database.js';
import { SqliteInstanceStore } from '../../src/sqlite/instanceStore.js';
import { useMoto } from '../support/moto.js';

const run = promisify(execFile);
const MAIN = join(import.meta.dirname, '../../src/cli/main.ts');

describe('lightsout CLI on moto', () => {
  const moto = useMoto();
  let dir: string;

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'lightsout-cli-'));
    const ec2 = new EC2Client(moto.clientConfig);
    const launch = (tags: Record<string, string>) =>
      ec2.send(
        new RunInstancesCommand({
          ImageId: 'ami-12345678',
          MinCount: 1,
          MaxCount: 1,
          TagSpecifications: [
            { ResourceType: 'instance', Tags: Object.entries(tags).map(([Key, Value]) => ({ Key, Value })) },
          ],
        }),
      );
    await launch({ Monitor: 'true', Name: 'web-1', MonitorGroup: 'web', Threshold: '1' });
    await launch({ Monitor: 'true', Name: 'odd', Threshold: 'abc' });
    await launch({ Name: 'unmonitored' });
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  const lightsout = (args: string[]) =>
    run(process.execPath, ['--import', 'tsx', MAIN, ...args], {
      env: {
        PATH: process.env.PATH,
        AWS_ENDPOINT_URL: moto.endpoint,
        AWS_ACCESS_KEY_ID: 'testing',
        AWS_SECRET_ACCESS_KEY: 'testing',
        AWS_REGION: 'us-east-1',
        REGIONS: 'us-east-1',
        DB_PATH: join(dir, 'lightsout.db'),
      },
    }).then(
      (r) => ({ code: 0, stdout: r.stdout, stderr: r.stderr }),
      (e: { code: number; stdout: string; stderr: string }) => ({
        code: e.code,
        stdout: e.stdout,
        stderr: e.stderr,
      }),
    );

  /** The same program in-process: much faster than a spawn, for the cases that do not test the binary itself. */
  async function inProcess(args: string[]) {
    let stdout = '';
    let stderr = '';
    const code = await runCli(args, {
      env: { REGIONS: 'us-east-1', DB_PATH: join(dir, 'lightsout.db') },
      stdout: { write: (t: string) => (stdout += t) },
      stderr: { write: (t: string) => (stderr += t) },
    });
    return { code, stdout, stderr };
  }

  it('list --json prints monitored instances with runtime, threshold and warnings', async () => {
    const { code, stdout } = await lightsout(['list', '--json', '--at', '2099-01-01T00:00:00Z']);

    expect(code).toBe(0);
    const rows = JSON.parse(stdout) as Record<string, unknown>[];
    expect(rows.map((r) => r.name).sort()).toEqual(['odd', 'web-1']);
    const web = rows.find((r) => r.name === 'web-1')!;
    expect(web).toMatchObject({
      region: 'us-east-1',
      group: 'web',
      state: 'running',
      thresholdSeconds: 3600,
      over: true,
    });
    for (const key of ['instanceId', 'launchTime', 'runtimeSeconds', 'warnings'])
      expect(web).toHaveProperty(key);
    expect(rows.find((r) => r.name === 'odd')?.warnings).toEqual([
      'Threshold "abc" is not a duration; using 12h',
    ]);
  });

  it('list prints a table with warnings under their row and filters with --group', async () => {
    const { code, stdout } = await inProcess(['list', '--group', 'web', '--at', '2099-01-01T00:00:00Z']);

    expect(code).toBe(0);
    expect(stdout).toContain('1 instance, 1 over threshold');
    expect(stdout).toMatch(/!\s+i-\w+\s+web-1\s+us-east-1\s+web/);
    expect(stdout).not.toContain('odd');
  });

  it('list --over keeps only the instances over their threshold at --at', async () => {
    const { code, stdout } = await inProcess(['list', '--over', '--json', '--at', '2099-01-01T00:00:00Z']);
    const early = await inProcess(['list', '--over', '--json', '--at', '2000-01-01T00:00:00Z']);

    expect(code).toBe(0);
    expect(
      JSON.parse(stdout)
        .map((r: { name: string }) => r.name)
        .sort(),
    ).toEqual(['odd', 'web-1']);
    expect(JSON.parse(early.stdout)).toEqual([]);
  });

  it('--help lists the list and check commands and exits 0', async () => {
    const { code, stdout } = await lightsout(['--help']);

    expect(code).toBe(0);
    expect(stdout).toContain('Usage: lightsout');
    expect(stdout).toMatch(/^\s+list \[options\]/m);
    expect(stdout).toMatch(/^\s+check \[options\]/m);
  });

  it('check --dry-run says what it would do and writes nothing', async () => {
    const { code, stdout } = await inProcess(['check', '--dry-run']);

    expect(code).toBe(0);
    expect(stdout).toContain('Dry run: nothing was changed.');
    expect(stdout.match(/would us-east-1\/i-\w+: track: running with no record/g)).toHaveLength(2);
    const after = await inProcess(['list', '--json']);
    expect(JSON.parse(after.stdout).every((r: { nagCount: number }) => r.nagCount === 0)).toBe(true);
  });

  it('check tracks what it finds, and with --at sends the nags due by then', async () => {
    const first = await inProcess(['check']);
    const later = await inProcess(['check', '--at', '2099-01-01T00:00:00Z']);
    const { stdout } = await inProcess(['list', '--json']);

    expect(first.stdout.match(/us-east-1\/i-\w+: track: running with no record/g)).toHaveLength(2);
    expect(later.stdout).toContain('Nags due: 2');
    expect(later.stdout.match(/: nag: running/g)).toHaveLength(2);
    expect(JSON.parse(stdout).map((r: { nagCount: number }) => r.nagCount)).toEqual([1, 1]);
  });

  it('list marks an instance whose last nag reached no channel as undelivered, in --json and the table', async () => {
    // Arrange: the previous test tracked both instances; web-1's last nag found no channel.
    const db = openDatabase(join(dir, 'lightsout.db'));
    const store = new SqliteInstanceStore(db);
    const web = (await store.list({ region: 'us-east-1' })).find((r) => r.name === 'web-1')!;
    await store.put({ ...web, undelivered: true }, { expectedVersion: web.version });
    db.close();

    // Act
    const json = await inProcess(['list', '--json', '--at', '2099-01-01T00:00:00Z']);
    const table = await inProcess(['list', '--at', '2099-01-01T00:00:00Z']);

    // Assert
    const rows = JSON.parse(json.stdout) as { name: string; undelivered: boolean }[];
    expect(rows.find((r) => r.name === 'web-1')?.undelivered).toBe(true);
    expect(rows.find((r) => r.name === 'odd')?.undelivered).toBe(false);
    expect(table.stdout).toMatch(/web-1 .*OVER, 1 nag, undelivered$/m);
    expect(table.stdout).not.toMatch(/odd .*undelivered/);
  });

  it('list says which state file it read, and warns without creating one when it is missing', async () => {
    const missing = join(dir, 'elsewhere', 'lightsout.db');
    let stderr = '';
    const out = { write: () => {} };

    const found = await inProcess(['list', '--json']);
    const code = await runCli(['list', '--json'], {
      env: { REGIONS: 'us-east-1', DB_PATH: missing },
      stdout: out,
      stderr: { write: (t: string) => (stderr += t) },
    });

    expect(found.stderr).toBe(`lightsout: reading state from ${join(dir, 'lightsout.db')}\n`);
    expect(code).toBe(0);
    expect(stderr).toContain(`warning: no state file at ${missing}`);
    expect(existsSync(missing)).toBe(false);
  });

  it('quotes at most about 100 characters of a bad argument', async () => {
    const huge = 'x'.repeat(200_000);

    const runs = [
      await inProcess(['list', '--group', huge]),
      await inProcess(['list', '--at', huge]),
      await inProcess([huge]),
      await inProcess(['list', `--${huge}`]),
      await inProcess(['decommission', `i-${huge}`]),
    ];

    for (const r of runs) {
      expect(r.code).toBe(2);
      expect(r.stderr).toMatch(/x{98,100}…/);
      expect(r.stderr.length).toBeLessThan(1_000);
    }
  });

  it('rejects bad arguments with a clear message and a non-zero exit, no stack trace', async () => {
    const badAt = await lightsout(['list', '--at', 'teatime']);
    const badGroup = await inProcess(['list', '--group', 'Web Team']);
    const unknown = await inProcess(['lsit']);
    const unknownFlag = await inProcess(['list', '--overr']);
    const missingValue = await inProcess(['list', '--group']);

    expect(badAt).toMatchObject({ code: 2 });
    expect(badAt.stderr).toContain('--at must be an ISO time');
    expect(badGroup).toMatchObject({ code: 2 });
    expect(badGroup.stderr).toContain('--group must be lower-case letters and digits');
    expect(unknown).toMatchObject({ code: 2 });
    expect(unknown.stderr).toContain("unknown command 'lsit'");
    expect(unknownFlag).toMatchObject({ code: 2 });
    expect(unknownFlag.stderr).toContain("unknown option '--overr'");
    expect(missingValue).toMatchObject({ code: 2 });
    expect(missingValue.stderr).toContain("option '--group <group>' argument missing");
    for (const r of [badAt, badGroup, unknown, unknownFlag, missingValue]) {
      expect(r.stderr).not.toMatch(/\n\s+at /);
    }
  });
});
