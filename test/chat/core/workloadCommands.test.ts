import { beforeEach, describe, expect, it } from 'vitest';
import type { CommandContext } from '../../../src/chat/core/commandContext.js';
import { confirmCode, workloadCommands } from '../../../src/chat/core/workloadCommands.js';
import { workloadProgressListener } from '../../../src/chat/core/workloadProgress.js';
import type { ChatMessageRef } from '../../../src/core/instance.js';
import type { WorkloadProgressMessage, WorkloadProgressPoster } from '../../../src/ports/workloadProgress.js';
import { useMoto } from '../../support/moto.js';
import { threeTierSpec, workloadWorld } from '../../support/workloadWorld.js';

const moto = useMoto();
beforeEach(() => moto.reset());

/** Records what the platform would show: one message, rewritten in place. */
class RecordingPoster implements WorkloadProgressPoster {
  readonly platform = 'slack' as const;
  readonly versions: WorkloadProgressMessage[] = [];
  posts = 0;
  async post(channel: { channelId: string }, message: WorkloadProgressMessage): Promise<ChatMessageRef> {
    this.posts++;
    this.versions.push(message);
    return { platform: 'slack', channelId: channel.channelId, messageId: '1700000000.000100' };
  }
  async update(_ref: ChatMessageRef, message: WorkloadProgressMessage): Promise<void> {
    this.versions.push(message);
  }
}

const ctx = (id: string): CommandContext => ({
  channel: { platform: 'slack', channelId: 'C0OPS' },
  actor: { platform: 'slack', id, name: id },
});

function setup() {
  const world = workloadWorld(moto, {
    specs: [
      threeTierSpec({
        tiers: threeTierSpec().tiers.map((t) => ({ ...t, stop: { ...t.stop, delaySeconds: 0 } })),
      }),
    ],
  });
  const poster = new RecordingPoster();
  world.status.subscribe(workloadProgressListener([poster]));
  const ext = workloadCommands({
    service: world.service,
    admins: ['slack:U0ADMIN'],
    posters: [poster],
    clock: world.time.now,
  });
  const code = (action: string) =>
    confirmCode({ platform: 'slack', id: 'U0ADMIN' }, action, 'shop', undefined, world.time.now().getTime());
  return { world, poster, ext, code };
}

describe('/ec2 workload', () => {
  it('refuses stop to someone not on the admin list, privately, but lets them preview', async () => {
    const { ext, world } = setup();
    await world.launch(1, { Environment: 'ENV001', Role: 'web' });

    const refused = await ext.run(['stop', 'shop'], ctx('U0RANDOM'));
    const preview = await ext.run(['stop', 'shop', '--dry-run'], ctx('U0RANDOM'));

    expect(refused).toEqual({
      kind: 'refused',
      visibility: 'private',
      reason:
        'Only workload admins may stop workloads (WORKLOAD_ADMINS). You can still preview: /ec2 workload stop shop --dry-run',
    });
    expect(preview).toMatchObject({ kind: 'text', visibility: 'private' });
    expect(world.ec2Calls.filter((c) => c.command === 'StopInstancesCommand')).toEqual([]);
  });

  it('asks an admin to confirm, then starts the run and keeps one message updated to the summary', async () => {
    const { ext, world, poster, code } = setup();
    const [bypassed] = await world.launch(1, { Environment: 'ENV001', Role: 'web', LightsOutBypass: 'true' });
    await world.launch(1, { Environment: 'ENV001', Role: 'app' });

    const ask = await ext.run(['stop', 'shop'], ctx('U0ADMIN'));
    const stopsBeforeConfirm = world.ec2Calls.filter((c) => c.command === 'StopInstancesCommand').length;
    const go = await ext.run(['stop', 'shop', '--confirm', code('stop')], ctx('U0ADMIN'));
    await world.drive();

    expect(ask).toMatchObject({ kind: 'text', visibility: 'private', title: 'Confirm: stop workload shop?' });
    expect(ask.kind === 'text' && ask.lines.at(-1)).toBe(
      `To go ahead within 5 minutes, send: /ec2 workload stop shop --confirm ${code('stop')}`,
    );
    expect(stopsBeforeConfirm).toBe(0);
    expect(go).toMatchObject({
      kind: 'text',
      lines: ['Run 20261121T040000Z-r1 started; progress is posted in this channel.'],
    });
    expect(poster.posts).toBe(1);
    const last = poster.versions.at(-1);
    expect(last?.finished).toBe(true);
    expect(last?.lines).toEqual([
      '✓ web: no-op: nothing to stop: 1 bypassed',
      `    ⏭ ${bypassed}: LightsOutBypass=true tag`,
      '✓ app: 1 stopped',
      '✓ db: no-op: no instances tagged Environment=ENV001 and Role=db',
      'succeeded: 1 stopped, 1 bypassed, 0 already stopped in 15s',
    ]);
    expect(poster.versions.some((v) => v.lines.some((l) => l.startsWith('…')))).toBe(true);
  });

  it('starts tiers lacking the --profile at their current size, warning in the confirmation, progress and summary', async () => {
    // AWS_EC2_Scheduler's rule: a tier with no entry for the profile is started without scaling.
    const { ext, world, poster } = setup();
    const [app] = await world.launch(1, { Environment: 'ENV001', Role: 'app' });
    await world.realFleet.stop('us-east-1', [app ?? '']);
    const warning = 'tier "app" has no "big" profile; it starts at its current size (no resize)';
    const code = confirmCode(
      { platform: 'slack', id: 'U0ADMIN' },
      'start',
      'shop',
      'big',
      world.time.now().getTime(),
    );

    const ask = await ext.run(['start', 'shop', '--profile', 'big'], ctx('U0ADMIN'));
    await ext.run(['start', 'shop', '--profile', 'big', '--confirm', code], ctx('U0ADMIN'));
    const inProgress = poster.versions[0];
    await world.drive();

    expect(ask).toMatchObject({ kind: 'text', title: 'Confirm: start workload shop?' });
    expect(ask.kind === 'text' && ask.lines).toContain(`  - ${warning}`);
    expect(ask.kind === 'text' && ask.lines).toContain(
      `   → ${app}: stopped → start at its current size (tier has no "big" profile)`,
    );
    expect(inProgress?.finished).toBe(false);
    expect(inProgress?.lines).toContain(`⚠ ${warning}`);
    const last = poster.versions.at(-1);
    expect(last?.finished).toBe(true);
    expect(last?.lines).toContain(`⚠ ${warning}`);
    expect(last?.lines.at(-1)).toMatch(
      /^succeeded: 1 started, .*; ⚠ no "big" profile, so not resized: tier app$/,
    );
    expect(world.ec2Calls.filter((c) => c.command === 'ModifyInstanceAttributeCommand')).toEqual([]);
    expect((await world.realFleet.find('us-east-1', {}))[0]).toMatchObject({
      state: 'running',
      instanceType: 't3.micro',
    });
  });

  it('refuses a second run naming who started the first, and a wrong code', async () => {
    const { ext, world, code } = setup();
    await world.launch(1, { Environment: 'ENV001', Role: 'app' });
    await world.service.begin('shop', 'stop', { requestedBy: 'teams:bob' });

    const busy = await ext.run(['stop', 'shop', '--confirm', code('stop')], ctx('U0ADMIN'));
    const wrong = await ext.run(['start', 'shop', '--confirm', 'ZZZZZZ'], ctx('U0ADMIN'));

    expect(busy.kind === 'refused' && busy.reason).toMatch(
      /already has an active stop run .* started by teams:bob/,
    );
    expect(wrong.kind === 'text' && wrong.lines[0]).toBe(
      'Code ZZZZZZ is wrong or expired; here is a fresh one.',
    );
  });

  it('explains malformed commands with the usage', async () => {
    const { ext } = setup();

    const reply = await ext.run(['stop'], ctx('U0ADMIN'));
    const badProfile = await ext.run(['stop', 'shop', '--profile', 'big'], ctx('U0ADMIN'));

    expect(reply).toEqual({
      kind: 'error',
      visibility: 'private',
      error: 'workload stop needs a workload name',
      usage: [
        '/ec2 workload list | show <name> | stop <name> [--dry-run] | start <name> [--dry-run] [--profile <p>]',
      ],
    });
    expect(badProfile.kind === 'error' && badProfile.error).toBe('--profile applies to start only');
  });
});
