/**
 * `lightsout stop <instance> [--region R] [--hibernate]`: stops one running
 * instance through the same stop operation as a chat Stop (claimed, recorded
 * against its run so its nags end, audited as `cli:<user>`), and says in words
 * what happened. `<instance>` is an instance id or a Name tag; it is looked up
 * live in EC2 over REGIONS (or --region).
 */
import { userInfo } from 'node:os';
import type { Command } from 'commander';
import { AWS_REGION_PATTERN } from '../config/env.js';
import { formatDuration } from '../core/duration.js';
import { LightsOutError, NotFoundError, ValidationError } from '../core/errors.js';
import type { RunActor } from '../core/instance.js';
import { quoted } from '../core/quote.js';
import { isUp } from '../core/runLifecycle.js';
import { hibernationNotConfiguredReason } from '../core/stopRefusal.js';
import type { FleetInstance } from '../ports/fleet.js';
import type { CliCommand, CliContext } from './context.js';

interface StopOptions {
  region?: string;
  hibernate?: boolean;
}

const INSTANCE_ID = /^i-[0-9a-f]{8,17}$/;

/** A stop that did not happen: exit 1 with the reason (bad input is ValidationError, exit 2). */
class StopNotDoneError extends LightsOutError {
  constructor(message: string) {
    super('stop_not_done', message);
  }
}

export const stopCommand: CliCommand = {
  register(program: Command, ctx: CliContext) {
    program
      .command('stop')
      .description('Stop a running instance (recorded and audited like a Stop from chat)')
      .argument('<instance>', 'instance id (i-…) or Name tag')
      .option('--region <region>', 'look only in this region (default: every region in REGIONS)')
      .option('--hibernate', 'hibernate instead of a plain stop (needs hibernation configured at launch)')
      .addHelpText(
        'after',
        '\nExamples:\n  lightsout stop i-0abc1234def567890\n  lightsout stop render-1 --region eu-west-1 --hibernate\n',
      )
      .action(async (instance: string, opts: StopOptions) => stop(ctx, instance, opts));
  },
};

async function stop(ctx: CliContext, instance: string, opts: StopOptions): Promise<void> {
  const wanted = instance.trim();
  if (!wanted || wanted.length > 255) {
    throw new ValidationError(
      `<instance> must be an instance id (i-…) or a Name tag; got ${quoted(instance)}`,
    );
  }
  if (opts.region !== undefined && !AWS_REGION_PATTERN.test(opts.region)) {
    throw new ValidationError(`--region must be an AWS region such as eu-west-1; got ${quoted(opts.region)}`);
  }
  const config = ctx.config();
  const regions = opts.region ? [opts.region] : config.monitor.regions;
  const live = await findInstance(ctx, wanted, regions);
  const label = live.tags.Name ? `${live.tags.Name} (${live.instanceId})` : live.instanceId;
  const where = `${label} in ${live.region}`;
  if (!isUp(live.state)) {
    ctx.stdout.write(`Nothing to do: ${where} is ${live.state}.\n`);
    return;
  }
  if (opts.hibernate && !live.hibernationConfigured) {
    throw new StopNotDoneError(hibernationNotConfiguredReason(label));
  }

  const { stopper, store } = ctx.stopper();
  const run = { region: live.region, instanceId: live.instanceId, launchTime: live.launchTime };
  const by = actor();
  const verb = opts.hibernate ? 'Hibernating' : 'Stopping';
  const record = await store.get(run);
  const tracked =
    record &&
    Math.floor(Date.parse(record.launchTime) / 1000) === Math.floor(Date.parse(live.launchTime) / 1000);
  if (!tracked) {
    // Not a run Lights Out follows (no Monitor tag, or the bot has not seen it yet): stop it all the same.
    const [result] = await stopper.stopMany([run], by, { hibernate: opts.hibernate });
    if (result?.status !== 'stopping')
      throw new StopNotDoneError(result?.reason ?? `could not stop ${where}`);
    ctx.stdout.write(`${verb} ${where}. (Lights Out keeps no record of this run, so only EC2 changes.)\n`);
    return;
  }
  const result = await stopper.stop(run, by, { hibernate: opts.hibernate });
  switch (result.status) {
    case 'stopping':
      ctx.stdout.write(
        `${verb} ${where} after ${formatDuration(result.runtimeSeconds)}${result.confirmedByReread ? " (AWS's answer was lost, but EC2 reports it stopping)" : ''}.\n`,
      );
      return;
    case 'already':
      ctx.stdout.write(
        `Nothing done: ${where} is already being stopped by ${result.by ? `${result.by.platform}:${result.by.name ?? result.by.id}` : 'someone else'}.\n`,
      );
      return;
    case 'stale':
      throw new StopNotDoneError(`Nothing done: ${where} is no longer on the run it was (${result.reason}).`);
    case 'protected':
    case 'refused':
      throw new StopNotDoneError(result.reason);
    case 'failed':
      throw new StopNotDoneError(
        `EC2 did not stop ${where}: ${result.error instanceof Error ? result.error.message : String(result.error)}`,
      );
    case 'unknown':
      throw new StopNotDoneError(
        `Could not tell whether ${where} stopped: AWS's answer was lost and EC2 could not be read again. Run \`lightsout list\` in a minute before trying again.`,
      );
  }
}

/** By id in each region, else by Name tag; a Name on several instances is refused with their ids. */
async function findInstance(ctx: CliContext, wanted: string, regions: string[]): Promise<FleetInstance> {
  const fleet = ctx.fleet();
  const found: FleetInstance[] = [];
  for (const region of regions) {
    found.push(
      ...(INSTANCE_ID.test(wanted)
        ? await fleet.find(region, { instanceIds: [wanted] })
        : await fleet.find(region, {
            tags: { Name: [wanted] },
            states: ['pending', 'running', 'stopping', 'stopped'],
          })),
    );
  }
  if (found.length === 0) {
    throw new NotFoundError(`No instance ${quoted(wanted)} in ${regions.join(', ')}.`);
  }
  const running = found.filter((i) => isUp(i.state));
  if (found.length > 1 && running.length !== 1) {
    throw new ValidationError(
      `${found.length} instances are named ${quoted(wanted)}: ${found.map((i) => `${i.instanceId} (${i.region}, ${i.state})`).join(', ')}; name one by its id.`,
    );
  }
  return (running.length === 1 ? running[0] : found[0]) as FleetInstance;
}

function actor(): RunActor {
  try {
    return { platform: 'cli', id: userInfo().username };
  } catch {
    return { platform: 'cli', id: 'unknown' };
  }
}
