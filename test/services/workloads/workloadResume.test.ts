import { CreateTopicCommand } from '@aws-sdk/client-sns';
import { beforeEach, describe, expect, it } from 'vitest';
import { DynamoWorkloadRunStore } from '../../../src/aws/dynamodb/dynamoWorkloadRunStore.js';
import { overrideScript } from '../../../src/aws/ssmOverrideChecker.js';
import type { OverrideResult } from '../../../src/core/workloads/tierPlan.js';
import type { OverrideChecker } from '../../../src/ports/overrideChecker.js';
import type { WorkloadRunStore } from '../../../src/ports/workloadRunStore.js';
import { openDatabase } from '../../../src/sqlite/database.js';
import { SqliteWorkloadRunStore } from '../../../src/sqlite/sqliteWorkloadRunStore.js';
import { createTable } from '../../support/dynamoTable.js';
import { useMoto } from '../../support/moto.js';
import { threeTierSpec, workloadWorld } from '../../support/workloadWorld.js';

const moto = useMoto();
beforeEach(() => moto.reset());

const env = { Environment: 'ENV001' };
const stopIds = (world: ReturnType<typeof workloadWorld>) =>
  world.ec2Calls
    .filter((c) => c.command === 'StopInstancesCommand')
    .map((c) => c.input.InstanceIds as string[]);

/** A command-runner fake at the port: answers as a guest with the file would. */
class FakeOverrideChecker implements OverrideChecker {
  constructor(private readonly answers: Record<string, OverrideResult>) {}
  async check(_region: string, ids: string[]) {
    return new Map(ids.map((id) => [id, this.answers[id] ?? { status: 'absent' as const }]));
  }
}

const withOverride = () =>
  threeTierSpec({
    tiers: threeTierSpec().tiers.map((t) =>
      t.name === 'web'
        ? { ...t, stop: { ...t.stop, override: { filename: '/tmp/StopOverride', os: 'Linux' as const } } }
        : t,
    ),
  });

describe('durable workload runs', () => {
  it('resumes from the last completed step after a crash between tiers (DynamoDB store)', async () => {
    const { doc, tableName } = await createTable(moto);
    const store = () => new DynamoWorkloadRunStore(doc, tableName);
    const before = workloadWorld(moto, { specs: [threeTierSpec()], runs: store() });
    const web = await before.launch(1, { ...env, Role: 'web' });
    const app = await before.launch(1, { ...env, Role: 'app' });
    const db = await before.launch(1, { ...env, Role: 'db' });
    const run = await before.service.begin('shop', 'stop', { requestedBy: 'cli:alice' });
    await before.service.handleStep({ runId: run.runId, seq: 1 }); // web stopped; app due in 10 s
    // Crash: the process and its scheduler are gone; only the table remains.

    const after = workloadWorld(moto, { specs: [threeTierSpec()], runs: store() });
    after.time.advanceTo('2026-11-21T04:00:30Z');
    const resumed = await after.service.resume();
    await after.drive();

    expect(resumed.map((r) => r.runId)).toEqual([run.runId]);
    expect(stopIds(before)).toEqual([web]);
    expect(stopIds(after)).toEqual([app, db]);
    expect((await after.service.run(run.runId)).status).toBe('succeeded');
  });

  it("keeps a step's result when chat attaches its message while the step runs", async () => {
    const inner = new SqliteWorkloadRunStore(openDatabase(':memory:'));
    let raced = false;
    // A store whose first step save loses the race to chat recording its progress message.
    const racing: WorkloadRunStore = {
      create: (r) => inner.create(r),
      get: (id) => inner.get(id),
      recent: (n, w) => inner.recent(n, w),
      active: () => inner.active(),
      save: async (r) => {
        if (!raced && r.tiers[0]?.status !== 'pending') {
          raced = true;
          const stored = await inner.get(r.runId);
          if (stored)
            await inner.save({
              ...stored,
              chatRefs: [{ platform: 'slack', channelId: 'C1', messageId: '1.2' }],
            });
        }
        return inner.save(r);
      },
    };
    const world = workloadWorld(moto, { specs: [threeTierSpec()], runs: racing });
    const [web] = await world.launch(1, { ...env, Role: 'web' });
    const run = await world.service.begin('shop', 'stop', { requestedBy: 'cli:alice' });

    await world.service.handleStep({ runId: run.runId, seq: 1 });

    const saved = await world.service.run(run.runId);
    expect(raced).toBe(true);
    expect(saved.chatRefs).toEqual([{ platform: 'slack', channelId: 'C1', messageId: '1.2' }]);
    expect(saved.tiers[0]?.instances).toEqual([
      { instanceId: web, launchTime: expect.any(String), status: 'done', reason: 'stop requested' },
    ]);
    expect(saved.next).toMatchObject({ kind: 'tier', tierIndex: 1, seq: 2 });
  });

  it('ends a run whose first step cannot be scheduled, so the workload is not left locked', async () => {
    const world = workloadWorld(moto, { specs: [threeTierSpec()] });
    await world.launch(1, { ...env, Role: 'web' });
    world.scheduler.schedule = async () => {
      throw new Error('scheduler unavailable');
    };

    const first = world.service.begin('shop', 'stop', { requestedBy: 'cli:alice' });

    await expect(first).rejects.toThrow('scheduler unavailable');
    const [run] = await world.service.runs();
    expect(run).toMatchObject({
      status: 'failed',
      summary: 'failed: could not schedule the first step: scheduler unavailable',
    });
    expect(await world.runs.active()).toEqual([]);
  });

  it('ignores a duplicate trigger of a step that already ran', async () => {
    const world = workloadWorld(moto, { specs: [threeTierSpec()] });
    await world.launch(1, { ...env, Role: 'web' });
    const run = await world.service.begin('shop', 'stop', { requestedBy: 'cli:alice' });
    await world.service.handleStep({ runId: run.runId, seq: 1 });

    await world.service.handleStep({ runId: run.runId, seq: 1 });

    expect(stopIds(world)).toHaveLength(1);
  });

  it('bypasses an instance whose override file is present and holds one SSM cannot reach', async () => {
    const world0 = workloadWorld(moto, { specs: [] });
    const [kept, unreachable, stopped] = await world0.launch(3, { ...env, Role: 'web' });
    const world = workloadWorld(moto, {
      specs: [withOverride()],
      overrides: new FakeOverrideChecker({
        [kept ?? '']: { status: 'present' },
        [unreachable ?? '']: { status: 'unreachable', detail: 'not managed by SSM' },
      }),
    });

    const run = await world.service.begin('shop', 'stop', { requestedBy: 'cli:alice' });
    await world.drive();

    const done = await world.service.run(run.runId);
    expect(stopIds(world)).toEqual([[stopped]]);
    expect(done.status).toBe('partial');
    expect(done.tiers[0]?.instances.map((i) => [i.instanceId, i.status, i.reason])).toEqual(
      expect.arrayContaining([
        [kept, 'bypassed', 'override file /tmp/StopOverride present'],
        [
          unreachable,
          'held',
          'SSM could not check /tmp/StopOverride (not managed by SSM); not stopped (fail-safe)',
        ],
      ]),
    );
    expect(done.warnings).toEqual([
      `${unreachable} in tier web: SSM could not check /tmp/StopOverride (not managed by SSM); not stopped (fail-safe)`,
    ]);
  });

  it("asks SSM in batches of 50 and stops on moto's empty output (absent)", async () => {
    const world = workloadWorld(moto, { specs: [withOverride()] });
    const web = await world.launch(60, { ...env, Role: 'web' });

    await world.service.begin('shop', 'stop', { requestedBy: 'cli:alice' });
    await world.drive();

    const sends = world.ssmCalls.filter((c) => c.command === 'SendCommandCommand');
    expect(sends.map((c) => (c.input.InstanceIds as string[]).length)).toEqual([50, 10]);
    expect(sends[0]?.input).toMatchObject({
      DocumentName: 'AWS-RunShellScript',
      // The filename travels base64-encoded, never as script text (see ssmOverrideChecker.test.ts).
      Parameters: { commands: overrideScript({ filename: '/tmp/StopOverride', os: 'Linux' }).commands },
    });
    expect(JSON.stringify(sends[0]?.input.Parameters)).toContain(
      Buffer.from('/tmp/StopOverride').toString('base64'),
    );
    expect(stopIds(world).map((ids) => ids.length)).toEqual([60]);
    expect(new Set(stopIds(world)[0])).toEqual(new Set(web));
  });

  it("publishes per-tier and final status to the spec's SNS topic", async () => {
    const world = workloadWorld(moto, { specs: [threeTierSpec({ snsTopicName: 'SchedulerTesting' })] });
    const topic = await world.sns.send(new CreateTopicCommand({ Name: 'SchedulerTesting' }));
    await world.launch(1, { ...env, Role: 'web' });

    await world.service.begin('shop', 'stop', { requestedBy: 'cli:alice' });
    await world.drive();

    const data = (await moto.data()) as {
      sns: { Topic: { arn: string; sent_notifications: [string, string, string][] }[] };
    };
    const sent = data.sns.Topic.find((t) => t.arn === topic.TopicArn)?.sent_notifications ?? [];
    const messages = sent.map(
      ([, body]) => JSON.parse(body) as { kind: string; tier?: { name: string }; status: string },
    );
    expect(messages.map((m) => [m.kind, m.tier?.name, m.status])).toEqual([
      ['workload.tier', 'web', 'running'],
      ['workload.tier', 'app', 'running'],
      ['workload.tier', 'db', 'succeeded'],
      ['workload.final', undefined, 'succeeded'],
    ]);
    expect(sent[3]?.[2]).toMatch(
      /^Lights Out stop shop: succeeded: 1 stopped, 0 bypassed, 0 already stopped in 10s$/,
    );
  });
});
