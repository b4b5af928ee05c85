import { existsSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  DescribeInstancesCommand,
  EC2Client,
  RunInstancesCommand,
  StopInstancesCommand,
} from '@aws-sdk/client-ec2';
import { beforeEach, describe, expect, it, vi } from 'vitest';
import { runCli } from '../../src/cli/program.js';
import { useMoto } from '../support/moto.js';

const moto = useMoto();
beforeEach(() => moto.reset());

const SPEC = `workloads:
  - name: shop
    region: us-east-1
    workloadTag: { key: Environment, value: ENV001 }
    tierTag: Role
    tiers:
      - { name: web, start: { sequence: 1 }, stop: { sequence: 0 }, scaling: { big: m5.large } }
      - { name: db, start: { sequence: 0 }, stop: { sequence: 1 } }
`;

function setup(extra: Record<string, string> = {}, spec = SPEC) {
  const dir = mkdtempSync(join(tmpdir(), 'lightsout-cli-wl-'));
  writeFileSync(join(dir, 'workloads.yaml'), spec);
  const env = {
    ...process.env,
    WORKLOADS_FILE: join(dir, 'workloads.yaml'),
    DB_PATH: join(dir, 'lightsout.db'),
    REGIONS: 'us-east-1',
    TABLE_NAME: '',
    LOG_LEVEL: 'error',
    ...extra,
  };
  return async (...argv: string[]) => {
    let out = '';
    let err = '';
    const code = await runCli(argv, {
      env,
      stdout: { write: (s: string) => (out += s) } as unknown as typeof process.stdout,
      stderr: { write: (s: string) => (err += s) } as unknown as typeof process.stderr,
    });
    return { code, out, err };
  };
}

async function launch(role: string) {
  const ec2 = new EC2Client(moto.clientConfig);
  const res = await ec2.send(
    new RunInstancesCommand({
      ImageId: 'ami-12345678',
      MinCount: 1,
      MaxCount: 1,
      TagSpecifications: [
        {
          ResourceType: 'instance',
          Tags: [
            { Key: 'Environment', Value: 'ENV001' },
            { Key: 'Role', Value: role },
          ],
        },
      ],
    }),
  );
  return res.Instances?.[0]?.InstanceId ?? '';
}

async function stateOf(id: string) {
  const res = await new EC2Client(moto.clientConfig).send(
    new DescribeInstancesCommand({ InstanceIds: [id] }),
  );
  return res.Reservations?.[0]?.Instances?.[0]?.State?.Name;
}

describe('lightsout workload', () => {
  it('lists and shows workloads', async () => {
    const cli = setup();
    const web = await launch('web');

    const list = await cli('workload', 'list');
    const show = await cli('workload', 'show', 'shop');

    expect(list.out).toContain('shop (us-east-1)');
    expect(list.out).toContain('stop order: web → db');
    expect(list.out).toContain('start order: db → web');
    expect(show.out).toContain(`tier web: ${web} (running)`);
  });

  it('list, show, runs and --dry-run say which state they read, and create no file to read it', async () => {
    const cli = setup();
    await launch('web');

    const answers = [
      await cli('workload', 'list'),
      await cli('workload', 'show', 'shop'),
      await cli('workload', 'runs'),
      await cli('workload', 'stop', 'shop', '--dry-run'),
    ];

    for (const a of answers) {
      expect(a.code).toBe(0);
      expect(a.err).toMatch(
        /^lightsout: warning: no state file at (\S+lightsout\.db), so no workload runs are known here\./,
      );
    }
    const file = /no state file at (\S+lightsout\.db)/.exec(answers[0]!.err)![1]!;
    expect(existsSync(file)).toBe(false);
  });

  it('--dry-run prints the plan and stops nothing', async () => {
    const cli = setup();
    const web = await launch('web');

    const res = await cli('workload', 'stop', 'shop', '--dry-run');

    expect(res.code).toBe(0);
    expect(res.out).toContain('Dry run: stop workload "shop" in us-east-1 (nothing will change)');
    expect(res.out).toContain(`→ ${web}: running → stop`);
    expect(await stateOf(web)).toBe('running');
  });

  it('--dry-run with a profile some tiers lack plans them at their current size and warns', async () => {
    // AWS_EC2_Scheduler's README example is `--profile performant`; no tier here defines it.
    const cli = setup();
    const web = await launch('web');
    await new EC2Client(moto.clientConfig).send(new StopInstancesCommand({ InstanceIds: [web] }));

    const res = await cli('workload', 'start', 'shop', '--profile', 'performant', '--dry-run');

    // Only the state line: no state file yet, and a dry run does not create one.
    expect(res.err.trim().split('\n')).toEqual([
      expect.stringMatching(
        /^lightsout: warning: no state file at \S+lightsout\.db, so no workload runs are known here\./,
      ),
    ]);
    expect(res.code).toBe(0);
    expect(res.out).toContain('Dry run: start workload "shop" in us-east-1 with profile "performant"');
    expect(res.out).toContain(
      `→ ${web}: stopped → start at its current size (tier has no "performant" profile)`,
    );
    expect(res.out).toContain(
      '  - tier "db" has no "performant" profile; it starts at its current size (no resize)',
    );
    expect(res.out).toContain(
      '  - tier "web" has no "performant" profile; it starts at its current size (no resize)',
    );
    expect(res.out).not.toContain('Refused');
    expect(await stateOf(web)).toBe('stopped');
  });

  it('stop --wait follows the run to the end; runs lists it', async () => {
    const cli = setup();
    const web = await launch('web');
    const db = await launch('db');

    const res = await cli('workload', 'stop', 'shop', '--wait');
    const runs = await cli('workload', 'runs');

    expect(res.err).toMatch(
      /^lightsout: warning: no state file at \S+, so this run is kept in a new file there/,
    );
    expect(runs.err).toMatch(/^lightsout: reading state from \S+lightsout\.db\n$/);
    expect(res.code).toBe(0);
    expect(res.out).toContain('✓ web: 1 stopped');
    expect(res.out).toMatch(/succeeded: 2 stopped, 0 bypassed, 0 already stopped/);
    expect([await stateOf(web), await stateOf(db)]).toEqual(['stopped', 'stopped']);
    expect(runs.out).toMatch(/stop {2}shop {2}by cli:\S+ {2}succeeded: 2 stopped/);
  });

  it('asks for the step function when pointed at a Lambda deployment', async () => {
    const cli = setup({ TABLE_NAME: 'lightsout' });

    const res = await cli('workload', 'runs');

    expect(res.code).toBe(2);
    expect(res.err).toContain('WORKLOAD_STEP_FUNCTION_ARN is required with TABLE_NAME');
  });

  it('explains bad input', async () => {
    const cli = setup();

    const unknown = await cli('workload', 'stop', 'nope');
    const profileOnStop = await cli('workload', 'stop', 'shop', '--profile', 'big');

    expect(unknown.code).toBe(1);
    expect(unknown.err).toContain('no workload named "nope"');
    expect(profileOnStop.code).not.toBe(0);
    expect(profileOnStop.err).toMatch(/unknown option '--profile'/);
  });

  it("names a broken workload's own problems, and why a file yields none", async () => {
    const broken = setup({}, 'workloads:\n  - name: shop\n    region: us-east-1\n');
    const unparsable = setup({}, 'workloads:\n  - name: [shop\n');

    const own = await broken('workload', 'stop', 'shop', '--dry-run');
    const file = await unparsable('workload', 'stop', 'shop', '--dry-run');
    const listed = await broken('workload', 'list');

    expect(own.code).toBe(1);
    expect(own.err).toContain('workload "shop" cannot be used until its spec is fixed');
    expect(own.err).toContain('tierTag is required');
    expect(file.code).toBe(1);
    expect(file.err).toContain('none are defined');
    expect(file.err).toContain('is not valid YAML/JSON');
    expect(listed.code).toBe(2);
    expect(listed.out).toContain('tierTag is required');
    expect(listed.err).toContain('1 problem in');
  });

  it('warns when the status topic named by SNSTopicName does not exist, and still runs', async () => {
    const cli = setup(
      {},
      SPEC.replace('    tierTag: Role\n', '    tierTag: Role\n    snsTopic: NoSuchTopic\n'),
    );
    const web = await launch('web');
    const logged: string[] = [];
    const spy = vi.spyOn(process.stderr, 'write').mockImplementation((chunk) => {
      logged.push(String(chunk));
      return true;
    });

    let res: Awaited<ReturnType<typeof cli>>;
    try {
      res = await cli('workload', 'stop', 'shop', '--wait');
    } finally {
      spy.mockRestore();
    }

    expect(res.code).toBe(0);
    expect(await stateOf(web)).toBe('stopped');
    expect(logged.join('')).toContain(
      'SNS topic \\"NoSuchTopic\\" (SNSTopicName) does not exist in us-east-1',
    );
  });

  it('resume carries on a run the CLI left waiting, and says when there is none', async () => {
    const spec = SPEC.replace('stop: { sequence: 0 }', 'stop: { sequence: 0, delay: 1 }');
    const cli = setup({}, spec);
    const web = await launch('web');
    const db = await launch('db');
    const left = await cli('workload', 'stop', 'shop');
    expect(left.out).toContain('The rest runs in the Lights Out process');
    expect(await stateOf(db)).toBe('running');

    const resumed = await cli('workload', 'resume');
    const again = await cli('workload', 'resume');

    expect(resumed.code).toBe(0);
    expect(resumed.out).toMatch(/Resuming run \S+: stop shop/);
    expect(resumed.out).toMatch(/succeeded: 2 stopped/);
    expect([await stateOf(web), await stateOf(db)]).toEqual(['stopped', 'stopped']);
    expect(again.out).toContain('No active workload runs to resume.');
  });
});
