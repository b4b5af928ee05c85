import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CreateTagsCommand, TerminateInstancesCommand } from '@aws-sdk/client-ec2';
import { beforeEach, describe, expect, it } from 'vitest';
import { runCli } from '../../src/cli/program.js';
import { openDatabase } from '../../src/sqlite/database.js';
import { SqliteInstanceStore } from '../../src/sqlite/instanceStore.js';
import { cleanupWorld, terminatedRecord } from '../support/cleanupWorld.js';
import { useMoto } from '../support/moto.js';

/** Runs the CLI in this process (the spawned-process paths are covered by the cloudmap suite). */
async function cli(args: string[], env: Record<string, string>) {
  let out = '';
  let err = '';
  const code = await runCli(args, {
    env,
    stdout: {
      write: (text: string) => {
        out += text;
      },
    } as unknown as typeof process.stdout,
    stderr: {
      write: (text: string) => {
        err += text;
      },
    } as unknown as typeof process.stderr,
  });
  return { code, stdout: out, stderr: err };
}

describe('lightsout decommission (CLI, moto)', () => {
  const moto = useMoto();
  const world = cleanupWorld(moto);
  beforeEach(() => moto.reset());

  const env = (extra: Record<string, string> = {}) => ({
    AWS_ENDPOINT_URL: moto.endpoint,
    AWS_ACCESS_KEY_ID: 'testing',
    AWS_SECRET_ACCESS_KEY: 'testing',
    AWS_REGION: 'us-east-1',
    DB_PATH: join(mkdtempSync(join(tmpdir(), 'lightsout-')), 'lightsout.db'),
    ...extra,
  });

  it('refuses a running instance, previews with --dry-run, and cleans up once it is terminated', async () => {
    const live = await world.runInstance();
    const zoneId = await world.createZone('internal.');
    await world.putA(zoneId, 'web-1.internal.', [live.privateIp ?? '']);
    await world.ec2().send(
      new CreateTagsCommand({
        Resources: [live.instanceId],
        Tags: [
          { Key: 'DnsRecords', Value: `${zoneId}:web-1.internal` },
          { Key: 'Name', Value: 'web-1' },
        ],
      }),
    );
    const settings = env();

    const refused = await cli(['decommission', live.instanceId], settings);
    expect(refused.code).toBe(2);
    expect(refused.stderr).toContain(`${live.instanceId} is running, not terminated`);

    const preview = await cli(['decommission', live.instanceId, '--dry-run'], settings);
    expect(preview.code).toBe(0);
    expect(preview.stdout).toContain(
      `${live.instanceId} is running, not terminated: this previews what its termination would clean up`,
    );
    expect(preview.stdout).toContain(`${live.instanceId} (web-1) terminated · would remove web-1.internal A`);
    expect(await world.records(zoneId)).toEqual({ 'web-1.internal. A': [live.privateIp] });

    await world.ec2().send(new TerminateInstancesCommand({ InstanceIds: [live.instanceId] }));
    const store = new SqliteInstanceStore(openDatabase(settings.DB_PATH));
    await store.put(
      terminatedRecord({
        instanceId: live.instanceId,
        privateIp: live.privateIp,
        publicIp: live.publicIp,
        tags: { Name: 'web-1', DnsRecords: `${zoneId}:web-1.internal` },
      }),
    );
    const run = await cli(['decommission', live.instanceId], settings);

    expect(run.code).toBe(0);
    expect(run.stdout).toContain(`${live.instanceId} (web-1) terminated · removed web-1.internal A`);
    expect(await world.records(zoneId)).toEqual({});
  });

  it('says what is wrong with a bad id or an unknown instance', async () => {
    const bad = await cli(['decommission', 'web-1'], env());
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain('"web-1" is not an EC2 instance id');

    const unknown = await cli(['decommission', 'i-0123456789abcdef0', '--region', 'eu-west-1'], env());
    expect(unknown.code).toBe(1);
    expect(unknown.stderr).toContain(
      'i-0123456789abcdef0 is neither in the Lights Out store nor listed by EC2 in eu-west-1',
    );
  });
});
