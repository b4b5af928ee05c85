import { DescribeInstancesCommand } from '@aws-sdk/client-ec2';
import { beforeEach, describe, expect, it } from 'vitest';
import type { InstanceState } from '../../../src/core/instance.js';
import { WorkloadBusyError, WorkloadRefusedError } from '../../../src/core/workloads/run.js';
import { useMoto } from '../../support/moto.js';
import { threeTierSpec, workloadWorld } from '../../support/workloadWorld.js';

const moto = useMoto();
beforeEach(() => moto.reset());

type World = ReturnType<typeof workloadWorld>;

async function states(world: World): Promise<Record<string, InstanceState>> {
  const res = await world.ec2.send(new DescribeInstancesCommand({}));
  const out: Record<string, InstanceState> = {};
  for (const i of res.Reservations?.flatMap((r) => r.Instances ?? []) ?? [])
    out[i.InstanceId ?? ''] = i.State?.Name as InstanceState;
  return out;
}

async function launchShop(world: World, perTier = 2) {
  const env = { Environment: 'ENV001' };
  return {
    web: await world.launch(perTier, { ...env, Role: 'web' }),
    app: await world.launch(perTier, { ...env, Role: 'app' }),
    db: await world.launch(perTier, { ...env, Role: 'db' }),
  };
}

const callsOf = (world: World, command: string) => world.ec2Calls.filter((c) => c.command === command);
const ids = (call: { input: Record<string, unknown> } | undefined) =>
  [...((call?.input.InstanceIds as string[]) ?? [])].sort();

describe('workload stop and start', () => {
  it('stops three tiers in stop order, one StopInstances call per tier', async () => {
    const world = workloadWorld(moto, { specs: [threeTierSpec()] });
    const shop = await launchShop(world);

    const run = await world.service.begin('shop', 'stop', { requestedBy: 'cli:alice' });
    await world.drive();

    const stops = callsOf(world, 'StopInstancesCommand');
    expect(stops.map(ids)).toEqual([shop.web.sort(), shop.app.sort(), shop.db.sort()]);
    expect(Object.values(await states(world))).toEqual(Array(6).fill('stopped'));
    const done = await world.service.run(run.runId);
    expect(done.status).toBe('succeeded');
    expect(done.summary).toMatch(/^succeeded: 6 stopped, 0 bypassed, 0 already stopped/);
    expect(done.tiers.map((t) => t.status)).toEqual(['done', 'done', 'done']);
  });

  it('starts in the start order, independent of the stop order', async () => {
    const world = workloadWorld(moto, { specs: [threeTierSpec()] });
    const shop = await launchShop(world);
    await world.realFleet.stop('us-east-1', [...shop.web, ...shop.app, ...shop.db]);
    world.ec2Calls.length = 0;

    await world.service.begin('shop', 'start', { requestedBy: 'cli:alice' });
    await world.drive();

    expect(callsOf(world, 'StartInstancesCommand').map(ids)).toEqual([
      shop.db.sort(),
      shop.app.sort(),
      shop.web.sort(),
    ]);
    expect(Object.values(await states(world))).toEqual(Array(6).fill('running'));
  });

  it('waits for a synchronous tier through scheduled polls before the next tier', async () => {
    let slowPolls = 2;
    const world = workloadWorld(moto, {
      specs: [threeTierSpec()],
      wrapFleet: (fleet) => ({
        ...fleet,
        stop: fleet.stop.bind(fleet),
        start: fleet.start.bind(fleet),
        setInstanceType: fleet.setInstanceType.bind(fleet),
        // The app tier reports "stopping" for two polls, as a real stop takes a while.
        find: async (region, query) => {
          const found = await fleet.find(region, query);
          if (!query.instanceIds || slowPolls-- <= 0) return found;
          return found.map((i) => (i.tags.Role === 'app' ? { ...i, state: 'stopping' } : i));
        },
      }),
    });
    const shop = await launchShop(world, 1);

    const run = await world.service.begin('shop', 'stop', { requestedBy: 'cli:alice' });
    await world.drive();

    const kinds = world.scheduler.history.map((s) => s.dueAt);
    expect(kinds).toEqual([
      '2026-11-21T04:00:00.000Z', // tier web
      '2026-11-21T04:00:10.000Z', // tier app after web's 10 s delay
      '2026-11-21T04:00:25.000Z', // poll 1: app still stopping
      '2026-11-21T04:00:40.000Z', // poll 2: still stopping
      '2026-11-21T04:00:55.000Z', // poll 3: stopped → db
      '2026-11-21T04:01:10.000Z', // db poll
    ]);
    expect(callsOf(world, 'StopInstancesCommand').map(ids)).toEqual([shop.web, shop.app, shop.db]);
    expect((await world.service.run(run.runId)).status).toBe('succeeded');
  });

  it('times out a synchronous tier naming the stragglers and does not run later tiers', async () => {
    const world = workloadWorld(moto, {
      specs: [threeTierSpec()],
      syncTimeoutSeconds: 60,
      wrapFleet: (fleet) => ({
        ...fleet,
        stop: fleet.stop.bind(fleet),
        start: fleet.start.bind(fleet),
        setInstanceType: fleet.setInstanceType.bind(fleet),
        find: async (region, query) =>
          (await fleet.find(region, query)).map((i) =>
            query.instanceIds && i.tags.Role === 'app' ? { ...i, state: 'stopping' } : i,
          ),
      }),
    });
    const shop = await launchShop(world, 1);

    const run = await world.service.begin('shop', 'stop', { requestedBy: 'cli:alice' });
    await world.drive();

    const done = await world.service.run(run.runId);
    expect(done.status).toBe('failed');
    expect(done.tiers[1]?.note).toBe(
      `timed out after 1m waiting for ${shop.app[0]} (stopping); later tiers were not run`,
    );
    expect(done.tiers[2]).toMatchObject({ status: 'pending', note: 'not run: tier app failed' });
    expect(callsOf(world, 'StopInstancesCommand')).toHaveLength(2);
  });

  it('honours inter-tier delays on the injected clock: an early trigger does nothing', async () => {
    const world = workloadWorld(moto, { specs: [threeTierSpec()] });
    const shop = await launchShop(world, 1);
    const run = await world.service.begin('shop', 'stop', { requestedBy: 'cli:alice' });
    await world.service.handleStep({ runId: run.runId, seq: 1 });
    const next = world.scheduler.pending.get(run.runId);

    world.time.advanceTo('2026-11-21T04:00:05Z');
    await world.service.handleStep({ runId: run.runId, seq: next?.seq ?? 0 });

    expect(next?.dueAt).toBe('2026-11-21T04:00:10.000Z');
    expect(callsOf(world, 'StopInstancesCommand').map(ids)).toEqual([shop.web]);
    world.time.advanceTo('2026-11-21T04:00:10Z');
    await world.service.handleStep({ runId: run.runId, seq: next?.seq ?? 0 });
    expect(callsOf(world, 'StopInstancesCommand').map(ids)).toEqual([shop.web, shop.app]);
  });

  it('applies the scaling profile while stopped, waits ScaleInstanceDelay, then starts', async () => {
    const world = workloadWorld(moto, { specs: [threeTierSpec({ scaleInstanceDelaySeconds: 30 })] });
    const shop = await launchShop(world, 1);
    await world.realFleet.stop('us-east-1', [...shop.web, ...shop.app, ...shop.db]);
    world.ec2Calls.length = 0;

    await world.service.begin('shop', 'start', { requestedBy: 'cli:alice', profile: 'big' });
    await world.drive();

    const sequence = world.ec2Calls
      .filter((c) => c.command !== 'DescribeInstancesCommand')
      .map((c) =>
        `${c.command.replace('Command', '')} ${ids(c).join(',') || c.input.InstanceId} ${(c.input.InstanceType as { Value?: string })?.Value ?? ''}`.trim(),
      );
    expect(sequence).toEqual([
      `ModifyInstanceAttribute ${shop.db[0]} r5.large`,
      `StartInstances ${shop.db[0]}`,
      `StartInstances ${shop.app[0]}`,
      `ModifyInstanceAttribute ${shop.web[0]} m5.large`,
      `StartInstances ${shop.web[0]}`,
    ]);
    const types = await world.realFleet.find('us-east-1', {});
    expect(Object.fromEntries(types.map((i) => [i.tags.Role, i.instanceType]))).toEqual({
      web: 'm5.large',
      app: 't3.micro',
      db: 'r5.large',
    });
    const launchSteps = world.scheduler.history.filter(
      (s, i, all) => i > 0 && Date.parse(s.dueAt) - Date.parse(all[i - 1]?.dueAt ?? '') === 30_000,
    );
    expect(launchSteps.length).toBeGreaterThanOrEqual(2);
  });

  it('starts every tier at its current size when no tier has the profile, and says so', async () => {
    // AWS_EC2_Scheduler: "no scaling action will occur when the tier is started".
    const world = workloadWorld(moto, { specs: [threeTierSpec()] });
    const shop = await launchShop(world, 1);
    await world.realFleet.stop('us-east-1', [...shop.web, ...shop.app, ...shop.db]);
    world.ec2Calls.length = 0;

    const run = await world.service.begin('shop', 'start', {
      requestedBy: 'cli:alice',
      profile: 'performant',
    });
    await world.drive();

    expect(callsOf(world, 'ModifyInstanceAttributeCommand')).toEqual([]);
    expect(Object.values(await states(world))).toEqual(Array(3).fill('running'));
    const done = await world.service.run(run.runId);
    expect(done.status).toBe('succeeded');
    expect(done.warnings).toEqual([
      'tier "db" has no "performant" profile; it starts at its current size (no resize)',
      'tier "app" has no "performant" profile; it starts at its current size (no resize)',
      'tier "web" has no "performant" profile; it starts at its current size (no resize)',
      'no tier defines profile "performant" (known profiles: big); check the spelling if a resize was meant',
    ]);
    expect(done.summary).toMatch(
      /^succeeded: 3 started, .*; ⚠ no "performant" profile, so not resized: tier db, tier app, tier web$/,
    );
  });

  it('refuses a workload with DisableAllSchedulingActions="1" and touches nothing', async () => {
    const world = workloadWorld(moto, { specs: [threeTierSpec({ disabled: true })] });
    await launchShop(world, 1);

    const attempt = world.service.begin('shop', 'stop', { requestedBy: 'cli:alice' });

    await expect(attempt).rejects.toBeInstanceOf(WorkloadRefusedError);
    await expect(attempt).rejects.toThrow('DisableAllSchedulingActions is "1" for workload "shop"');
    expect(callsOf(world, 'StopInstancesCommand')).toEqual([]);
    expect(await world.service.runs()).toEqual([]);
  });

  it('limits matching to the VPC_ID', async () => {
    const world = workloadWorld(moto, { specs: [] });
    const { CreateVpcCommand, CreateSubnetCommand } = await import('@aws-sdk/client-ec2');
    const vpc = await world.ec2.send(new CreateVpcCommand({ CidrBlock: '10.9.0.0/16' }));
    const subnet = await world.ec2.send(
      new CreateSubnetCommand({ VpcId: vpc.Vpc?.VpcId, CidrBlock: '10.9.1.0/24' }),
    );
    const inside = await world.launch(
      1,
      { Environment: 'ENV001', Role: 'web' },
      { subnetId: subnet.Subnet?.SubnetId },
    );
    const outside = await world.launch(1, { Environment: 'ENV001', Role: 'web' });
    const vpcWorld = workloadWorld(moto, { specs: [threeTierSpec({ vpcId: vpc.Vpc?.VpcId })] });

    await vpcWorld.service.begin('shop', 'stop', { requestedBy: 'cli:alice' });
    await vpcWorld.drive();

    const now = await states(world);
    expect([now[inside[0] ?? ''], now[outside[0] ?? '']]).toEqual(['stopped', 'running']);
  });

  it('dry run shows the plan and changes nothing', async () => {
    const world = workloadWorld(moto, { specs: [threeTierSpec()] });
    await launchShop(world, 1);
    world.ec2Calls.length = 0;

    const plan = await world.service.plan('shop', 'stop');

    expect(plan.tiers.map((t) => [t.tier, t.instances.map((i) => i.step)])).toEqual([
      ['web', ['act']],
      ['app', ['act']],
      ['db', ['act']],
    ]);
    expect(world.ec2Calls.map((c) => c.command).filter((c) => c !== 'DescribeInstancesCommand')).toEqual([]);
    expect(Object.values(await states(world))).toEqual(Array(3).fill('running'));
    expect(await world.service.runs()).toEqual([]);
  });

  it('refuses a second run on the same workload, naming who started the first', async () => {
    const world = workloadWorld(moto, { specs: [threeTierSpec()] });
    await launchShop(world, 1);
    await world.service.begin('shop', 'stop', { requestedBy: 'slack:U0ALICE' });

    const second = world.service.begin('shop', 'start', { requestedBy: 'cli:bob' });

    await expect(second).rejects.toBeInstanceOf(WorkloadBusyError);
    await expect(second).rejects.toThrow(/started by slack:U0ALICE/);
  });

  it('names a workload that does not exist', async () => {
    const world = workloadWorld(moto, { specs: [threeTierSpec()] });

    await expect(world.service.plan('shpo', 'stop')).rejects.toThrow(
      'no workload named "shpo" in test; known: shop',
    );
  });
});
