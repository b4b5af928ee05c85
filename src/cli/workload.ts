/**
 * `lightsout workload list | show NAME | stop NAME | start NAME | runs`:
 * tiered start/stop from the terminal, AWS_EC2_Scheduler's -w/-a/-d/-p as
 * subcommands (`-d` dry run, `-p` profile). `--wait` follows the run until it
 * ends. Without TABLE_NAME + WORKLOAD_STEP_FUNCTION_ARN the run executes in
 * this process on the local SQLite store; a run still waiting on a delay when
 * the CLI exits is resumed by `npm start`.
 */

import { userInfo } from 'node:os';
import type { Command } from 'commander';
import { ConfigError } from '../config/index.js';
import { formatDuration } from '../core/duration.js';
import { LightsOutError, ValidationError } from '../core/errors.js';
import { count } from '../core/plural.js';
import { quoted } from '../core/quote.js';
import { renderPlan } from '../core/workloads/planText.js';
import { isFinished, WorkloadRefusedError, type WorkloadRun } from '../core/workloads/run.js';
import { renderRun, tierLine } from '../core/workloads/runText.js';
import type { WorkloadAction, WorkloadSpec } from '../core/workloads/spec.js';
import { tiersInOrder } from '../core/workloads/spec.js';
import { createLogger } from '../log.js';
import { openDatabase } from '../sqlite/database.js';
import { awsWorkloadRuntime, localWorkloadRuntime, type WorkloadRuntime } from '../wiring/workloadWiring.js';
import { announceState, type CliCommand, type CliContext } from './context.js';

interface RunOptions {
  dryRun?: boolean;
  profile?: string;
  wait?: boolean;
}

/**
 * The runtime this CLI talks to, and whether steps execute in this process.
 * Says on stderr which store it uses, as `lightsout list` does. `read`
 * (list, show, runs, --dry-run) never creates the state file: without one it
 * warns and works in memory. `run` (a start, stop or resume) keeps its run in
 * the file, where `npm start` resumes it, and says when it creates it.
 */
function runtime(
  ctx: CliContext,
  use: 'read' | 'run',
): {
  rt: WorkloadRuntime;
  inProcess?: ReturnType<typeof localWorkloadRuntime>;
} {
  const config = ctx.config();
  if (config.store.tableName && !config.workloads.stepFunctionArn) {
    // Half a Lambda setup would run steps here against a local SQLite file nobody else reads.
    throw new ConfigError([
      'WORKLOAD_STEP_FUNCTION_ARN is required with TABLE_NAME: the ARN of the deployed workloadStep function (stack output WorkloadFunctionName); unset TABLE_NAME to run workloads locally',
    ]);
  }
  const source = announceState(
    config,
    ctx.stderr,
    use === 'read'
      ? 'no workload runs are known here'
      : 'this run is kept in a new file there, where `npm start` resumes it',
  );
  if (source.kind === 'dynamodb') return { rt: awsWorkloadRuntime(config) };
  const file = source.kind === 'sqlite' || use === 'run' ? config.store.sqlitePath : ':memory:';
  const local = localWorkloadRuntime(config, openDatabase(file), {
    fleet: ctx.fleet(),
    // Warnings only: a status topic that cannot be reached (e.g. a wrong SNSTopicName) must not pass silently.
    log: createLogger('lightsout-cli', 'WARN'),
  });
  return { rt: local, inProcess: local };
}

const requester = () =>
  `cli:${(() => {
    try {
      return userInfo().username;
    } catch {
      return 'unknown';
    }
  })()}`;

function describeSpec(spec: WorkloadSpec): string {
  const lines = [
    `${spec.name} (${spec.region})${spec.disabled ? ' DISABLED: DisableAllSchedulingActions="1"' : ''}`,
    `  instances: ${spec.workloadTag.key}=${spec.workloadTag.value}, tier tag ${spec.tierTagKey}${spec.vpcId ? `, VPC ${spec.vpcId}` : ''}`,
  ];
  for (const action of ['stop', 'start'] as WorkloadAction[]) {
    const order = tiersInOrder(spec, action).map((t) => {
      const p = t[action];
      const extras = [
        p.synchronous ? 'wait' : '',
        p.delaySeconds ? `+${formatDuration(p.delaySeconds)}` : '',
      ].filter(Boolean);
      return `${t.name}${extras.length ? ` (${extras.join(', ')})` : ''}`;
    });
    lines.push(`  ${action} order: ${order.join(' → ')}`);
  }
  const profiles = [...new Set(spec.tiers.flatMap((t) => Object.keys(t.scaling)))];
  if (profiles.length) lines.push(`  profiles: ${profiles.join(', ')}`);
  if (spec.snsTopicName) lines.push(`  status topic: ${spec.snsTopicName}`);
  return lines.join('\n');
}

async function follow(
  ctx: CliContext,
  rt: WorkloadRuntime,
  run: WorkloadRun,
  inProcess: boolean,
): Promise<WorkloadRun> {
  const printed = new Map<string, string>();
  const print = (r: WorkloadRun) => {
    for (const tier of r.tiers) {
      const line = tierLine(tier, r.action);
      if (tier.status !== 'pending' && printed.get(tier.tier) !== line) {
        printed.set(tier.tier, line);
        ctx.stdout.write(`${line}\n`);
      }
    }
  };
  let current = run;
  // In-process steps report through the status fan-out; on AWS we read the table.
  while (!isFinished(current)) {
    await new Promise((r) => setTimeout(r, inProcess ? 200 : 5000));
    current = await rt.service.run(run.runId);
    print(current);
  }
  return current;
}

async function runAction(
  ctx: CliContext,
  action: WorkloadAction,
  name: string,
  opts: RunOptions,
): Promise<void> {
  const { rt, inProcess } = runtime(ctx, opts.dryRun ? 'read' : 'run');
  if (opts.dryRun) {
    const plan = await rt.service.plan(name, action, opts.profile);
    ctx.stdout.write(`${renderPlan(plan, { dryRun: true })}\n`);
    // A script previewing a run must see that the real run would be refused.
    if (plan.refused) throw new WorkloadRefusedError(`the run would be refused: ${plan.refused}`);
    return;
  }
  if (inProcess) await inProcess.scheduler.start((step) => rt.service.handleStep(step).then(() => undefined));
  try {
    const run = await rt.service.begin(name, action, { profile: opts.profile, requestedBy: requester() });
    ctx.stdout.write(`Run ${run.runId}: ${action} ${name} (${count(run.tiers.length, 'tier')})\n`);
    if (!opts.wait) {
      if (inProcess) {
        // Run what is due now; a later step is left for `npm start` to resume.
        await new Promise((r) => setTimeout(r, 0));
        await inProcess.scheduler.idle();
        const now = await rt.service.run(run.runId);
        ctx.stdout.write(`${renderRun(now, new Date()).join('\n')}\n`);
        if (!isFinished(now)) {
          ctx.stdout.write(
            'The rest runs in the Lights Out process (npm start); follow it with: lightsout workload runs\n',
          );
        }
      } else {
        ctx.stdout.write(`Started; follow it with: lightsout workload runs --workload ${name}\n`);
      }
      return;
    }
    const done = await follow(ctx, rt, run, Boolean(inProcess));
    ctx.stdout.write(`${renderRun(done).join('\n')}\n`);
    // main.ts sets process.exitCode from runCli's result, so signal failure by throwing.
    if (done.status !== 'succeeded') {
      throw new LightsOutError(
        'workload_run_failed',
        `run ${done.runId} ended ${done.status}${done.summary ? `: ${done.summary}` : ''}`,
      );
    }
  } finally {
    await inProcess?.scheduler.stop();
  }
}

export const workloadCommand: CliCommand = {
  register(program: Command, ctx: CliContext) {
    const workload = program
      .command('workload')
      .description(
        'Start and stop multi-tier workloads tier by tier (specs from workloads.yaml or the AWS_EC2_Scheduler tables)',
      );

    workload
      .command('list')
      .description('Workloads defined, and any problems in their specs')
      .action(async () => {
        const { rt } = runtime(ctx, 'read');
        const { specs, problems, origin } = await rt.service.list();
        if (!specs.length) ctx.stdout.write(`No valid workloads in ${origin}.\n`);
        for (const spec of specs) ctx.stdout.write(`${describeSpec(spec)}\n`);
        if (problems.length) {
          ctx.stdout.write(`Problems:\n${problems.map((p) => `  - ${p}`).join('\n')}\n`);
          // Non-zero so `workload list` can gate a spec change in CI.
          throw new ValidationError(
            `${count(problems.length, 'problem')} in ${origin} (listed above); a workload with problems cannot run until they are fixed`,
          );
        }
      });

    workload
      .command('show <name>')
      .description('A workload: its tiers, orders, profiles and instances now')
      .action(async (name: string) => {
        const { rt } = runtime(ctx, 'read');
        const spec = await rt.service.spec(name);
        ctx.stdout.write(`${describeSpec(spec)}\n`);
        const plan = await rt.service.plan(name, 'stop');
        for (const tier of plan.tiers) {
          ctx.stdout.write(
            `  tier ${tier.tier}: ${tier.instances.map((i) => `${i.instanceId} (${i.state})`).join(', ') || 'no instances'}\n`,
          );
        }
        const recent = await rt.service.runs(3, name);
        for (const r of recent)
          ctx.stdout.write(`  run ${r.runId}: ${r.action} by ${r.requestedBy}: ${r.summary ?? r.status}\n`);
      });

    for (const action of ['stop', 'start'] as WorkloadAction[]) {
      const cmd = workload
        .command(`${action} <name>`)
        .description(`${action === 'stop' ? 'Stop' : 'Start'} a workload tier by tier in its ${action} order`)
        .option('-d, --dry-run', 'print the plan and change nothing')
        .option('--wait', 'follow progress until the run ends');
      if (action === 'start')
        cmd.option('-p, --profile <profile>', 'scaling profile: instance types applied before start');
      cmd
        .addHelpText(
          'after',
          `\nExamples:\n  lightsout workload ${action} shop --dry-run\n  lightsout workload ${action} shop${action === 'start' ? ' --profile big' : ''} --wait\n`,
        )
        .action((name: string, opts: RunOptions) => runAction(ctx, action, name, opts));
    }

    workload
      .command('resume')
      .description(
        'Carry on active runs from their last saved step, e.g. one the CLI left waiting while npm start is not running',
      )
      .action(async () => {
        const { rt, inProcess } = runtime(ctx, 'run');
        if (inProcess)
          await inProcess.scheduler.start((step) => rt.service.handleStep(step).then(() => undefined));
        try {
          const active = await rt.service.resume();
          if (!active.length) {
            ctx.stdout.write('No active workload runs to resume.\n');
            return;
          }
          if (!inProcess) {
            ctx.stdout.write(
              `Rescheduled ${active.length} run(s): ${active.map((r) => r.runId).join(', ')}; follow them with: lightsout workload runs\n`,
            );
            return;
          }
          // In this process the steps only run while it lives, so follow every run to its end.
          let failed = 0;
          for (const run of active) {
            ctx.stdout.write(`Resuming run ${run.runId}: ${run.action} ${run.workload}\n`);
            const done = await follow(ctx, rt, run, true);
            ctx.stdout.write(`${renderRun(done).join('\n')}\n`);
            if (done.status !== 'succeeded') failed++;
          }
          if (failed) {
            throw new LightsOutError(
              'workload_run_failed',
              `${count(failed, 'resumed run')} did not succeed (see above)`,
            );
          }
        } finally {
          await inProcess?.scheduler.stop();
        }
      });

    workload
      .command('runs')
      .description('Recent workload runs and how they ended')
      .option('--workload <name>', 'only this workload')
      .option('--limit <n>', 'how many', '20')
      .option('--json', 'print JSON')
      .action(async (opts: { workload?: string; limit: string; json?: boolean }) => {
        const limit = Number(opts.limit);
        if (!Number.isInteger(limit) || limit < 1 || limit > 500) {
          throw new ValidationError(
            `--limit must be a whole number from 1 to 500; got ${quoted(String(opts.limit))}`,
          );
        }
        const { rt } = runtime(ctx, 'read');
        const runs = await rt.service.runs(limit, opts.workload);
        if (opts.json) {
          ctx.stdout.write(
            `${JSON.stringify(
              runs.map(({ spec: _s, ...r }) => r),
              null,
              2,
            )}\n`,
          );
          return;
        }
        if (!runs.length) ctx.stdout.write('No workload runs yet.\n');
        for (const r of runs) {
          ctx.stdout.write(
            `${r.runId}  ${r.action.padEnd(5)} ${r.workload}  by ${r.requestedBy}  ${r.summary ?? `${r.status} (tier ${(r.next?.tierIndex ?? 0) + 1} of ${r.tiers.length})`}\n`,
          );
        }
      });
  },
};
