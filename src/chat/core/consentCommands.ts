/**
 * The consent commands: `stop <instance> --at 19:00 | --in 2h`,
 * `--when-idle [--for 30m]` and `--cancel`. Each goes through the action
 * pipeline as the nag's Stop at…, Stop when idle and Cancel do, so a typed
 * consent is authorized, checked and audited exactly like a click.
 */
import { formatDuration } from '../../core/duration.js';
import type { IdleVerdict } from '../../core/idle.js';
import type { InstanceRecord } from '../../core/instance.js';
import { instanceLabel } from '../../core/message/nagMessage.js';
import type { RunTarget } from '../../core/message/runToken.js';
import { nextClockTime } from '../../core/stopConsent.js';
import { isValidTimeZone } from '../../core/when.js';
import type { Clock } from '../../ports/clock.js';
import type { IdleStopCommands } from '../../services/consent/idleStopCheck.js';
import type { ActionPipeline } from './actionPipeline.js';
import type { CommandContext } from './commandContext.js';
import { type ChatReply, refusal, textReply } from './replies.js';
import type { StopAt } from './stopAtFlags.js';

export interface ConsentCommandsDeps {
  actions: Pick<ActionPipeline, 'handle' | 'offers'>;
  /** `--when-idle`; absent where no idle check runs. */
  idleStops?: IdleStopCommands;
  clock: Clock;
  /** Finds the instance by id or Name (the command service's lookup, with its replies). */
  resolve(target: string): Promise<{ record: InstanceRecord } | { reply: ChatReply }>;
}

export class ConsentCommands {
  constructor(private readonly deps: ConsentCommandsDeps) {}

  /**
   * `stop <instance> --when-idle [--for 30m]`: consent to stop once idle,
   * and what CloudWatch says right now, so nobody waits for a stop that
   * cannot happen (no data is never idle). Through the action pipeline, like
   * the "Stop when idle" button.
   */
  async stopWhenIdle(
    target: string,
    forSeconds: number | undefined,
    ctx: CommandContext,
  ): Promise<ChatReply> {
    const idle = this.deps.idleStops;
    if (!idle) return refusal('Stop when idle is not available here: no idle check runs in this deployment.');
    const found = await this.consentTarget(target);
    if ('reply' in found) return found.reply;
    const { record, run } = found;
    const window = forSeconds ?? idle.defaultWindowSeconds;
    const result = await this.deps.actions.handle({
      action: 'stop-when-idle',
      target: run,
      idleForSeconds: window,
      ctx,
    });
    if (result.status !== 'done') return refusal(result.notice);
    const now = idle.judge
      ? idleNow(await idle.judge(run, window).catch(() => undefined))
      : `The first check comes within ${formatDuration(idle.checkEverySeconds)}.`;
    return textReply(
      [
        `Stop when idle for ${formatDuration(window)}: ${instanceLabel(record)}. Lights Out checks CloudWatch every ${formatDuration(idle.checkEverySeconds)}; once it has been idle for the whole ${formatDuration(window)} it warns here, and stops it ${formatDuration(idle.graceSeconds)} later unless someone presses Cancel or it gets busy again.`,
        now,
      ],
      undefined,
      'channel',
    );
  }

  /**
   * `stop <instance> --at 19:00 | --in 2h`: consent to stop the run then,
   * through the action pipeline like "Stop at…" on the nag. `--at` is the
   * next such time in the person's zone (what they mean; UTC when chat does
   * not say it), unlike an `AutoStop=at:` tag, which reads in the group's zone.
   */
  async stopLater(target: string, at: StopAt, ctx: CommandContext): Promise<ChatReply> {
    if (!this.deps.actions.offers?.stopAt)
      return refusal('Stop at a time is not available here: no stop scheduler runs in this deployment.');
    const found = await this.consentTarget(target);
    if ('reply' in found) return found.reply;
    const now = this.deps.clock();
    const zone = await ctx.actor.timeZone?.().catch(() => undefined);
    const when =
      at.kind === 'in'
        ? new Date(now.getTime() + at.seconds * 1000)
        : nextClockTime(now, at.hour, at.minute, isValidTimeZone(zone) ? zone : 'UTC');
    const result = await this.deps.actions.handle({
      action: 'stop-at',
      target: found.run,
      stopAt: when,
      ctx,
    });
    if (result.status !== 'done') return refusal(result.notice);
    return textReply([result.notice.replace(/^Stop at /, 'Stop scheduled for ')], undefined, 'channel');
  }

  /** `stop <instance> --cancel`: the Cancel button as a command. */
  async cancelStop(target: string, ctx: CommandContext): Promise<ChatReply> {
    const found = await this.deps.resolve(target);
    if ('reply' in found) return found.reply;
    const r = found.record;
    const run = { region: r.region, instanceId: r.instanceId, launchTime: r.launchTime, group: r.group };
    const result = await this.deps.actions.handle({ action: 'cancel-stop', target: run, ctx });
    return result.status === 'done'
      ? textReply([result.notice], undefined, 'channel')
      : refusal(result.notice);
  }

  /**
   * What both consented stops (`--when-idle`, `--at`/`--in`) start from: the
   * running instance and its run. Who may consent is the action pipeline's
   * one rule (actAuthorization.ts), as for the buttons.
   */
  private async consentTarget(
    target: string,
  ): Promise<{ record: InstanceRecord; run: RunTarget } | { reply: ChatReply }> {
    const found = await this.deps.resolve(target);
    if ('reply' in found) return found;
    const record = found.record;
    if (record.state !== 'running') {
      return { reply: refusal(`${instanceLabel(record)} is ${record.state}; there is nothing to stop.`) };
    }
    const run = {
      region: record.region,
      instanceId: record.instanceId,
      launchTime: record.launchTime,
      group: record.group,
    };
    return { record, run };
  }
}

/** What CloudWatch says of the run right now, for the `--when-idle` reply; undefined when it could not be read. */
function idleNow(verdict: IdleVerdict | undefined): string {
  if (!verdict) return 'CloudWatch could not be read just now; the next check tries again.';
  return verdict.idle
    ? `Right now it is ${verdict.reason}; the warning comes with the next check.`
    : `Right now: ${verdict.reason}.`;
}
