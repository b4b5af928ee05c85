/**
 * `lightsout stop` against moto through the fault proxy (which counts and
 * reads StopInstances): the same stop operation as a chat Stop, recorded in
 * the single process's state file and audited as `cli:<user>`.
 */
import { execFile } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir, userInfo } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { EC2Client, ModifyInstanceAttributeCommand, RunInstancesCommand } from '@aws-sdk/client-ec2';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { Ec2Fleet } from '../../src/aws/ec2Fleet.js';
import { runCli } from '../../src/cli/program.js';
import { MonitorService } from '../../src/services/monitor/monitorService.js';
import { SqliteAuditLog } from '../../src/sqlite/auditLog.js';
import { openDatabase } from '../../src/sqlite/database.js';
import { SqliteInstanceStore } from '../../src/sqlite/instanceStore.js';
import { SqliteStopScheduleStore } from '../../src/sqlite/stopScheduleStore.js';
import { MemoryNagScheduler } from '../support/fakes.js';
import { useFaultProxy } from '../support/faultProxy.js';
import { testMonitorSettings } from '../support/monitorSettings.js';
import { useMoto } from '../support/moto.js';

const moto = useMoto();
const proxy = useFaultProxy(moto);
const MAIN = join(import.meta.dirname, '../../src/cli/main.ts');
const REGION = 'us-east-1';

describe('lightsout stop', () => {
  let dir: string;
  let dbPath: string;
  let ec2: EC2Client;

  beforeEach(async () => {
    await moto.reset();
    proxy.reset();
    dir = mkdtempSync(join(tmpdir(), 'lightsout-stop-'));
    dbPath = join(dir, 'lightsout.db');
    ec2 = new EC2Client({ ...moto.clientConfig, region: REGION });
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  async function launch(name: string, opts: { hibernation?: boolean } = {}): Promise<string> {
    const res = await ec2.send(
      new RunInstancesCommand({
        ImageId: 'ami-12345678',
        MinCount: 1,
        MaxCount: 1,
        HibernationOptions: opts.hibernation ? { Configured: true } : undefined,
        TagSpecifications: [
          {
            ResourceType: 'instance',
            Tags: [
              { Key: 'Monitor', Value: 'true' },
              { Key: 'Name', Value: name },
            ],
          },
        ],
      }),
    );
    return res.Instances![0]!.InstanceId!;
  }

  /** The bot has seen the instance start: its record is in the state file. */
  async function track(instanceId: string): Promise<void> {
    const db = openDatabase(dbPath);
    const monitor = new MonitorService({
      fleet: new Ec2Fleet(() => ec2),
      store: new SqliteInstanceStore(db),
      scheduler: new MemoryNagScheduler(),
      notifier: { notify: async () => undefined },
      events: { publish: async () => undefined },
      clock: () => new Date(),
      settings: testMonitorSettings({ defaultThresholdSeconds: 3600, regions: [REGION] }),
    });
    await monitor.handleStateChange({
      region: REGION,
      instanceId,
      state: 'running',
      time: new Date().toISOString(),
    });
    db.close();
  }

  async function cli(args: string[], db = dbPath) {
    let stdout = '';
    let stderr = '';
    const code = await runCli(['stop', ...args], {
      env: { REGIONS: REGION, DB_PATH: db },
      stdout: { write: (t: string) => (stdout += t) },
      stderr: { write: (t: string) => (stderr += t) },
    });
    return { code, stdout, stderr };
  }

  function readState(instanceId: string) {
    const db = openDatabase(dbPath);
    return Promise.all([
      new SqliteInstanceStore(db).get({ region: REGION, instanceId }),
      new SqliteAuditLog(db).recent(5),
    ]).finally(() => db.close());
  }

  it('stops a tracked instance by Name, records who stopped it, and says so', async () => {
    // Arrange
    const id = await launch('web-1');
    await track(id);

    // Act
    const out = await cli(['web-1']);

    // Assert
    expect(out.code).toBe(0);
    expect(out.stderr).toBe(`lightsout: reading state from ${dbPath}\n`);
    expect(out.stdout).toMatch(
      new RegExp(`^Stopping web-1 \\(${id}\\) in us-east-1 after [0-9dhms ]+\\.\\n$`),
    );
    expect(proxy.get().count('StopInstances').forwarded).toBe(1);
    const [record, audit] = await readState(id);
    const me = userInfo().username;
    expect(record).toMatchObject({ state: 'stopping', lastStop: { by: { platform: 'cli', id: me } } });
    expect(audit[0]).toMatchObject({ actor: `cli:${me}`, action: 'stop', result: 'ok' });
  });

  it('deletes the consented stop schedule of the run, so the running process never fires it', async () => {
    // Arrange: someone consented to a stop at a time; its row waits in the state file.
    const id = await launch('render-9');
    await track(id);
    const [record] = await readState(id);
    const stopAt = new Date(Date.now() + 3600_000).toISOString();
    const db = openDatabase(dbPath);
    // The consent on the record and its row, as the consent service writes them: a Stop only
    // looks for schedules where the record says there is a consent.
    await new SqliteInstanceStore(db).put({
      ...record!,
      stopConsent: {
        kind: 'at',
        at: stopAt,
        by: { platform: 'slack', id: 'U0ANA', name: 'ana' },
        givenAt: new Date().toISOString(),
      },
    });
    new SqliteStopScheduleStore(db).upsert({
      region: REGION,
      instanceId: id,
      launchTime: record!.launchTime,
      stopAt,
    });
    db.close();

    // Act
    const out = await cli([id]);

    // Assert
    expect(out.code).toBe(0);
    const after = openDatabase(dbPath);
    expect(new SqliteStopScheduleStore(after).get({ region: REGION, instanceId: id })).toBeUndefined();
    after.close();
  });

  it('hibernates with --hibernate where hibernation is configured', async () => {
    const id = await launch('render-1', { hibernation: true });
    await track(id);

    const out = await cli([id, '--hibernate', '--region', REGION]);

    expect(out.code).toBe(0);
    expect(out.stdout).toMatch(/^Hibernating render-1/);
    expect(proxy.get().calls('StopInstances')[0]?.params).toMatchObject({ Hibernate: 'true' });
    const [record] = await readState(id);
    expect(record?.lastStop).toMatchObject({ hibernated: true });
  });

  it('refuses --hibernate where hibernation is not configured, without calling StopInstances', async () => {
    const id = await launch('web-2');
    await track(id);

    const out = await cli([id, '--hibernate']);

    expect(out.code).toBe(1);
    expect(out.stderr).toContain(`web-2 (${id}) cannot hibernate: hibernation was not configured`);
    expect(proxy.get().count('StopInstances').received).toBe(0);
  });

  it('explains a stop-protected instance and how to lift the protection', async () => {
    const id = await launch('db-1');
    await track(id);
    await ec2.send(new ModifyInstanceAttributeCommand({ InstanceId: id, DisableApiStop: { Value: true } }));

    const out = await cli([id]);

    expect(out.code).toBe(1);
    expect(out.stderr).toContain('is stop-protected (DisableApiStop), so EC2 refuses to stop it');
    expect(out.stderr).toContain(
      `aws ec2 modify-instance-attribute --region us-east-1 --instance-id ${id} --no-disable-api-stop`,
    );
    const [record] = await readState(id);
    expect(record).toMatchObject({ state: 'running', stopProtected: true });
  });

  it('without a state file: warns, stops in EC2 only, and creates no file', async () => {
    const id = await launch('web-3');
    const missing = join(dir, 'elsewhere', 'lightsout.db');

    const out = await cli([id], missing);

    expect(out.code).toBe(0);
    expect(out.stderr).toContain(
      `warning: no state file at ${missing}, so the stop is made in EC2 but not recorded`,
    );
    expect(out.stdout).toContain('keeps no record of this run');
    expect(proxy.get().count('StopInstances').forwarded).toBe(1);
    expect(existsSync(missing)).toBe(false);
  });

  it('bad input exits 2 with what was wrong; an unknown instance exits 1', async () => {
    const badRegion = await cli(['web-1', '--region', 'nowhere']);
    const missingArg = await runCli(['stop'], {
      env: { REGIONS: REGION, DB_PATH: dbPath },
      stdout: { write: () => {} },
      stderr: { write: () => {} },
    });
    const unknown = await cli(['i-0123456789abcdef0']);

    expect(badRegion.code).toBe(2);
    expect(badRegion.stderr).toContain('--region must be an AWS region such as eu-west-1; got "nowhere"');
    expect(missingArg).toBe(2);
    expect(unknown.code).toBe(1);
    expect(unknown.stderr).toContain('No instance "i-0123456789abcdef0" in us-east-1');
  });

  it('runs as the installed binary does, with its exit code', async () => {
    const id = await launch('web-4');
    await track(id);

    const res = await promisify(execFile)(process.execPath, ['--import', 'tsx', MAIN, 'stop', id], {
      env: {
        PATH: process.env.PATH,
        AWS_ENDPOINT_URL: proxy.get().endpoint,
        AWS_ACCESS_KEY_ID: 'testing',
        AWS_SECRET_ACCESS_KEY: 'testing',
        AWS_REGION: REGION,
        REGIONS: REGION,
        DB_PATH: dbPath,
      },
    });

    expect(res.stdout).toMatch(new RegExp(`^Stopping web-4 \\(${id}\\) in us-east-1`));
  });
});
