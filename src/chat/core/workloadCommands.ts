/**
 * `/ec2 workload list | show NAME | stop NAME | start NAME [--dry-run] [--profile P]`
 * as a chat command extension, the same on Slack and Teams.
 *
 * Stop and start are for workload admins only (WORKLOAD_ADMINS); anyone may
 * list, show or dry-run. They need confirmation: the first call answers
 * privately with the plan and a short code; repeating the command with
 * `--confirm CODE` within five minutes starts the run. The code guards
 * against accidents, not attackers (authorization is the admin list), so it
 * is derived from who/what/when and needs no storage shared between Lambda
 * containers. The reply acknowledges at once (chat's 3 s limit); the run's
 * progress is one channel message kept updated by `workloadProgressListener`.
 */

import { createHash } from 'node:crypto';
import { LightsOutError } from '../../core/errors.js';
import { count } from '../../core/plural.js';
import { quoted } from '../../core/quote.js';
import { renderPlan } from '../../core/workloads/planText.js';
import type { WorkloadRun } from '../../core/workloads/run.js';
import { profileNames, tiersInOrder, type WorkloadAction } from '../../core/workloads/spec.js';
import type { ChatActor } from '../../ports/chat.js';
import type { Clock } from '../../ports/clock.js';
import type { WorkloadProgressPoster } from '../../ports/workloadProgress.js';
import type { WorkloadService } from '../../services/workloads/workloadService.js';
import type { CommandContext } from './commandContext.js';
import type { CommandExtension } from './commandExtension.js';
import { type ChatReply, refusal, textReply } from './replies.js';
import { progressMessage } from './workloadProgress.js';

export interface WorkloadCommandDeps {
  service: Pick<WorkloadService, 'list' | 'spec' | 'plan' | 'begin' | 'runs' | 'attachChatRef'>;
  /** `slack:U123`, `teams:<id>` or a bare id / user-group id. */
  admins: string[];
  posters: WorkloadProgressPoster[];
  clock: Clock;
}

const USAGE =
  'workload list | show <name> | stop <name> [--dry-run] | start <name> [--dry-run] [--profile <p>]';
const CONFIRM_WINDOW_MS = 5 * 60_000;

interface Parsed {
  verb: string;
  name?: string;
  dryRun: boolean;
  profile?: string;
  confirm?: string;
}

function parse(args: string[]): Parsed | string {
  const [verb = 'list', ...rest] = args.map((a) => a.trim()).filter(Boolean);
  const out: Parsed = { verb: verb.toLowerCase(), dryRun: false };
  for (let i = 0; i < rest.length; i++) {
    const word = rest[i] ?? '';
    if (word === '--dry-run' || word === '-d') out.dryRun = true;
    else if (word === '--profile' || word === '-p') out.profile = rest[++i];
    else if (word === '--confirm') out.confirm = rest[++i];
    else if (word.startsWith('-')) return `unknown option ${quoted(word)}`;
    else if (out.name === undefined) out.name = word;
    else return `unexpected ${quoted(word)} after the workload name`;
  }
  if (!['list', 'show', 'stop', 'start', 'runs'].includes(out.verb))
    return `unknown workload command ${quoted(out.verb)}`;
  if (['show', 'stop', 'start'].includes(out.verb) && !out.name)
    return `workload ${out.verb} needs a workload name`;
  if (out.profile === undefined && rest.some((w) => w === '--profile' || w === '-p'))
    return '--profile needs a profile name';
  if (out.profile !== undefined && out.verb !== 'start') return '--profile applies to start only';
  return out;
}

/** Short code that changes every five minutes and differs per person, action and workload. */
export function confirmCode(
  actor: Pick<ChatActor, 'platform' | 'id'>,
  action: string,
  name: string,
  profile: string | undefined,
  atMs: number,
): string {
  const window = Math.floor(atMs / CONFIRM_WINDOW_MS);
  const digest = createHash('sha256')
    .update(`${actor.platform}:${actor.id}|${action}|${name}|${profile ?? ''}|${window}`)
    .digest();
  return digest.readUInt32BE(0).toString(36).toUpperCase().padStart(6, '0').slice(-6);
}

async function isAdmin(actor: ChatActor, admins: string[]): Promise<boolean> {
  const ids = [actor.id, ...((await actor.userGroups?.()) ?? [])];
  return ids.some((id) => admins.includes(id) || admins.includes(`${actor.platform}:${id}`));
}

const errorReply = (error: string, prefix = '/ec2'): ChatReply => ({
  kind: 'error',
  visibility: 'private',
  error,
  usage: [`${prefix} ${USAGE}`],
});

export function workloadCommands(deps: WorkloadCommandDeps): CommandExtension {
  async function runAction(action: WorkloadAction, p: Parsed, ctx: CommandContext): Promise<ChatReply> {
    const name = p.name ?? '';
    if (p.dryRun)
      return textReply(
        renderPlan(await deps.service.plan(name, action, p.profile), { dryRun: true }).split('\n'),
      );
    if (!(await isAdmin(ctx.actor, deps.admins))) {
      return refusal(
        `Only workload admins may ${action} workloads (WORKLOAD_ADMINS). You can still preview: ${ctx.prefix ?? '/ec2'} workload ${action} ${name} --dry-run`,
      );
    }
    const now = deps.clock().getTime();
    const expected = [now, now - CONFIRM_WINDOW_MS].map((t) =>
      confirmCode(ctx.actor, action, name, p.profile, t),
    );
    if (!p.confirm || !expected.includes(p.confirm.toUpperCase())) {
      const plan = await deps.service.plan(name, action, p.profile);
      if (plan.refused) return refusal(plan.refused);
      const again = `${ctx.prefix ?? '/ec2'} workload ${action} ${name}${p.profile ? ` --profile ${p.profile}` : ''} --confirm ${expected[0]}`;
      return textReply(
        [
          ...(p.confirm ? [`Code ${p.confirm} is wrong or expired; here is a fresh one.`] : []),
          ...renderPlan(plan).split('\n'),
          `To go ahead within 5 minutes, send: ${again}`,
        ],
        `Confirm: ${action} workload ${name}?`,
      );
    }
    const run = await deps.service.begin(name, action, {
      profile: p.profile,
      requestedBy: `${ctx.actor.platform}:${ctx.actor.id}`,
    });
    const poster = deps.posters.find((x) => x.platform === ctx.channel.platform);
    if (poster) {
      const ref = await poster.post(ctx.channel, progressMessage(run));
      const latest = await deps.service.attachChatRef(run.runId, ref);
      // Steps may have run (even finished) before the message existed: catch it up once.
      if (latest.version > run.version + 1) await poster.update(ref, progressMessage(latest));
      return textReply([`Run ${run.runId} started; progress is posted in this channel.`]);
    }
    return textReply(
      [
        `Run ${run.runId} started by ${ctx.actor.name ?? ctx.actor.id}: ${action} ${name}.`,
        `Follow it with ${ctx.prefix ?? '/ec2'} workload runs`,
      ],
      undefined,
      'channel',
    );
  }

  async function list(): Promise<ChatReply> {
    const { specs, problems } = await deps.service.list();
    const lines = specs.map(
      (s) =>
        `${s.name} (${s.region}): stop ${tiersInOrder(s, 'stop')
          .map((t) => t.name)
          .join(' → ')}${s.disabled ? ' (disabled)' : ''}`,
    );
    if (!lines.length) lines.push('No workloads are defined.');
    if (problems.length)
      lines.push(`${count(problems.length, 'spec problem')}; run lightsout workload list to see them.`);
    return textReply(lines, 'Workloads');
  }

  async function show(name: string): Promise<ChatReply> {
    const spec = await deps.service.spec(name);
    const plan = await deps.service.plan(name, 'stop');
    const lines = [
      `Instances tagged ${spec.workloadTag.key}=${spec.workloadTag.value}, tiers by ${spec.tierTagKey}${spec.vpcId ? ` in ${spec.vpcId}` : ''}`,
      `Stop order: ${tiersInOrder(spec, 'stop')
        .map((t) => t.name)
        .join(' → ')}`,
      `Start order: ${tiersInOrder(spec, 'start')
        .map((t) => t.name)
        .join(' → ')}`,
      ...plan.tiers.map(
        (t) =>
          `${t.tier}: ${t.instances.map((i) => `${i.instanceId} (${i.state})`).join(', ') || 'no instances'}`,
      ),
    ];
    const profiles = profileNames(spec);
    if (profiles.length) lines.push(`Profiles: ${profiles.join(', ')}`);
    if (spec.disabled) lines.push('DisableAllSchedulingActions is "1": runs are refused.');
    return textReply(lines, `Workload ${spec.name}`);
  }

  async function runs(name?: string): Promise<ChatReply> {
    const recent: WorkloadRun[] = await deps.service.runs(10, name);
    return textReply(
      recent.length
        ? recent.map(
            (r) => `${r.runId} ${r.action} ${r.workload} by ${r.requestedBy}: ${r.summary ?? r.status}`,
          )
        : ['No workload runs yet.'],
      'Recent workload runs',
    );
  }

  return {
    word: 'workload',
    help: [
      'workload list: workloads you can start and stop tier by tier',
      'workload show <name>: tiers, orders and instances',
      'workload stop <name> [--dry-run]: stop tier by tier (admins; asks to confirm)',
      'workload start <name> [--dry-run] [--profile <p>]: start tier by tier (admins; asks to confirm)',
      'workload runs [<name>]: recent runs and how they ended',
    ],
    usage: `/ec2 ${USAGE}`,
    // Only a confirmed start or stop begins a run; every other form reads or asks again.
    repeatable(args) {
      const p = parse(args);
      return typeof p === 'string' || !['start', 'stop'].includes(p.verb) || p.dryRun || !p.confirm;
    },
    async run(args, ctx) {
      const p = parse(args);
      if (typeof p === 'string') return errorReply(p, ctx.prefix);
      try {
        if (p.verb === 'list') return await list();
        if (p.verb === 'runs') return await runs(p.name);
        if (p.verb === 'show') return await show(p.name ?? '');
        return await runAction(p.verb as WorkloadAction, p, ctx);
      } catch (err) {
        // Busy, refused, not found: the message says what happened and what to do.
        if (err instanceof LightsOutError) return refusal(err.message);
        throw err;
      }
    },
  };
}
