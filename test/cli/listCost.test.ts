/**
 * `lightsout list` shows each run's price and cost so far: the HourlyCost
 * tag's, the stored run's looked-up price, or "price unknown" (null in
 * --json), never $0. EC2 is moto; the store is the single process's SQLite file.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { EC2Client, RunInstancesCommand } from '@aws-sdk/client-ec2';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli } from '../../src/cli/program.js';
import { openDatabase } from '../../src/sqlite/database.js';
import { SqliteInstanceStore } from '../../src/sqlite/instanceStore.js';
import { useMoto } from '../support/moto.js';

describe('lightsout list: the cost column', () => {
  const moto = useMoto();
  let dir: string;
  let launchTime: string;

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'lightsout-cost-'));
    const ec2 = new EC2Client(moto.clientConfig);
    const launch = async (tags: Record<string, string>) => {
      const res = await ec2.send(
        new RunInstancesCommand({
          ImageId: 'ami-12345678',
          MinCount: 1,
          MaxCount: 1,
          InstanceType: 'm5.large',
          TagSpecifications: [
            { ResourceType: 'instance', Tags: Object.entries(tags).map(([Key, Value]) => ({ Key, Value })) },
          ],
        }),
      );
      return res.Instances![0]!;
    };
    await launch({ Monitor: 'true', Name: 'tagged', HourlyCost: '2.50' });
    const looked = await launch({ Monitor: 'true', Name: 'looked-up' });
    await launch({ Monitor: 'true', Name: 'unknown' });
    launchTime = looked.LaunchTime!.toISOString();
    // The store holds the looked-up price of one run, as the engine would have written it.
    const db = openDatabase(join(dir, 'lightsout.db'));
    await new SqliteInstanceStore(db).put({
      region: 'us-east-1',
      instanceId: looked.InstanceId!,
      launchTime,
      state: 'running',
      stateChangedAt: launchTime,
      tags: { Monitor: 'true', Name: 'looked-up' },
      group: 'all',
      thresholdSeconds: 43_200,
      renotifySeconds: 3600,
      extensionSeconds: 0,
      nagCount: 0,
      warnings: [],
      chatRefs: [],
      version: 0,
      price: { hourlyUsd: 0.096, source: 'on-demand', at: launchTime },
    });
    db.close();
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  async function list(args: string[]) {
    let stdout = '';
    const code = await runCli(['list', ...args], {
      env: { REGIONS: 'us-east-1', DB_PATH: join(dir, 'lightsout.db') },
      stdout: { write: (t: string) => (stdout += t) },
      stderr: { write: () => undefined },
    });
    return { code, stdout };
  }

  it('prints the price and the cost so far, or that the price is unknown', async () => {
    // Arrange: ten hours after launch
    const at = new Date(Date.parse(launchTime) + 10 * 3_600_000).toISOString();

    // Act
    const table = await list(['--at', at]);
    const json = await list(['--json', '--at', at]);

    // Assert
    expect(table.code).toBe(0);
    expect(table.stdout).toMatch(
      /^\s+INSTANCE\s+NAME\s+REGION\s+GROUP\s+RUNTIME\s+THRESHOLD\s+COST\s+STATUS$/m,
    );
    expect(table.stdout).toMatch(/tagged .*\$2\.50\/h \(tag\) · \$25 so far/);
    expect(table.stdout).toMatch(/looked-up .*\$0\.096\/h · \$0\.96 so far/);
    expect(table.stdout).toMatch(/unknown .*price unknown/);
    const rows = Object.fromEntries((JSON.parse(json.stdout) as { name: string }[]).map((r) => [r.name, r]));
    expect(rows.tagged).toMatchObject({ hourlyUsd: 2.5, costSoFarUsd: 25, priceSource: 'tag' });
    expect(rows['looked-up']).toMatchObject({
      hourlyUsd: 0.096,
      costSoFarUsd: 0.96,
      priceSource: 'on-demand',
    });
    expect(rows.unknown).toMatchObject({ hourlyUsd: null, costSoFarUsd: null, priceSource: null });
  });
});
