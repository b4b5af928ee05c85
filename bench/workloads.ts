/**
 * Stop a 3-tier workload of 300 instances on moto, the Lights Out way and
 * instance by instance (the baseline), and print the EC2 and SSM calls each
 * made and the wall time excluding configured delays (delays and waiter polls
 * run on a virtual clock: they are scheduled steps, not sleeps).
 *
 * Targets: EC2 StopInstances calls = number of tiers (chunks of up to 1,000);
 * SSM SendCommand ≤ ⌈n/50⌉ per tier.
 *
 *   npm run bench -- workloads          # --instances=N to change the size
 */

import { DescribeInstancesCommand, StopInstancesCommand } from '@aws-sdk/client-ec2';
import { GetCommandInvocationCommand, SendCommandCommand } from '@aws-sdk/client-ssm';
import { overrideScript } from '../src/aws/ssmOverrideChecker.js';
import type { WorkloadSpec } from '../src/core/workloads/spec.js';
import { startMoto } from '../test/support/moto.js';
import { type RecordedCall, workloadWorld } from '../test/support/workloadWorld.js';
import type { Bench } from './run.js';

const TIERS = ['web', 'app', 'db'];
const OVERRIDE = { filename: '/etc/lightsout/keep-running', os: 'Linux' as const };

function spec(): WorkloadSpec {
  return {
    name: 'bench',
    region: 'us-east-1',
    workloadTag: { key: 'Environment', value: 'bench' },
    tierTagKey: 'Role',
    disabled: false,
    scaleInstanceDelaySeconds: 0,
    tiers: TIERS.map((name, i) => ({
      name,
      start: { sequence: TIERS.length - 1 - i, synchronous: true, delaySeconds: 0 },
      stop: { sequence: i, synchronous: true, delaySeconds: 60, override: OVERRIDE },
      scaling: {},
    })),
  };
}

const count = (calls: RecordedCall[], command: string) => calls.filter((c) => c.command === command).length;

function report(label: string, ec2: RecordedCall[], ssm: RecordedCall[], ms: number) {
  const row = (k: string, v: string | number) => console.log(`  ${k.padEnd(26)} ${v}`);
  console.log(label);
  row('EC2 StopInstances', count(ec2, 'StopInstancesCommand'));
  row('EC2 DescribeInstances', count(ec2, 'DescribeInstancesCommand'));
  row('EC2 calls in total', ec2.length);
  row('SSM SendCommand', count(ssm, 'SendCommandCommand'));
  row('SSM GetCommandInvocation', count(ssm, 'GetCommandInvocationCommand'));
  row('wall time (no delays)', `${(ms / 1000).toFixed(2)} s`);
}

async function run(): Promise<void> {
  const n = Number(process.argv.find((a) => a.startsWith('--instances='))?.split('=')[1] ?? 300);
  const perTier = Math.ceil(n / TIERS.length);
  const moto = await startMoto();
  try {
    // Lights Out: one run, every step fired on a virtual clock.
    const world = workloadWorld(moto, { specs: [spec()] });
    const ids: Record<string, string[]> = {};
    for (const tier of TIERS) ids[tier] = await world.launch(perTier, { Environment: 'bench', Role: tier });
    world.ec2Calls.length = 0;
    const started = performance.now();
    const begun = await world.service.begin('bench', 'stop', { requestedBy: 'bench' });
    await world.drive(1000);
    const lightsOutMs = performance.now() - started;
    const done = await world.service.run(begun.runId);
    report(
      `Lights Out (${TIERS.length} tiers × ${perTier} instances): ${done.summary}`,
      world.ec2Calls,
      world.ssmCalls,
      lightsOutMs,
    );
    const stopCalls = count(world.ec2Calls, 'StopInstancesCommand');
    const maxSend = Math.max(
      ...TIERS.map(
        (t) =>
          world.ssmCalls.filter(
            (c) =>
              c.command === 'SendCommandCommand' &&
              (c.input.InstanceIds as string[]).every((id) => ids[t]?.includes(id)),
          ).length,
      ),
    );
    console.log(
      `  target EC2 stop calls = tiers (${TIERS.length}): ${stopCalls === TIERS.length ? 'met' : `MISSED (${stopCalls})`}; ` +
        `SendCommand per tier ≤ ⌈${perTier}/50⌉ = ${Math.ceil(perTier / 50)}: ${maxSend <= Math.ceil(perTier / 50) ? 'met' : `MISSED (${maxSend})`}`,
    );

    // Baseline: instance by instance, as a script looping over ids would.
    await moto.reset();
    const base = workloadWorld(moto, { specs: [] });
    const baseIds: Record<string, string[]> = {};
    for (const tier of TIERS)
      baseIds[tier] = await base.launch(perTier, { Environment: 'bench', Role: tier });
    base.ec2Calls.length = 0;
    const script = overrideScript(OVERRIDE);
    const baseStarted = performance.now();
    for (const tier of TIERS) {
      for (const id of baseIds[tier] ?? []) {
        const sent = await base.ssm.send(
          new SendCommandCommand({
            DocumentName: script.document,
            InstanceIds: [id],
            Parameters: { commands: script.commands },
          }),
        );
        await base.ssm.send(
          new GetCommandInvocationCommand({ CommandId: sent.Command?.CommandId, InstanceId: id }),
        );
        await base.ec2.send(new StopInstancesCommand({ InstanceIds: [id] }));
        await base.ec2.send(new DescribeInstancesCommand({ InstanceIds: [id] }));
      }
    }
    report('Baseline (instance by instance)', base.ec2Calls, base.ssmCalls, performance.now() - baseStarted);
  } finally {
    await moto.stop();
  }
}

export const workloadsBench: Bench = { name: 'workloads', run };

if (import.meta.url === `file://${process.argv[1]}`) await run();
