/**
 * The one path every Stop, Snooze and Extend takes, and every consent control
 * (Stop at…, Stop when idle, Cancel, +1h; see consentActions.ts), from Slack
 * buttons, Teams cards and `/ec2` commands alike: authorize (one rule, see
 * actAuthorization.ts), check it is still the same run in the same group,
 * act, audit, and rewrite the run's chat messages. Platforms only render the result.
 */
import { formatDuration } from '../../core/duration.js';
import {
  ExtensionCapError,
  LightsOutError,
  NotFoundError,
  StaleRunError,
  TransientError,
} from '../../core/errors.js';
import {
  type ChatMessageRef,
  effectiveThresholdSeconds,
  type InstanceRecord,
  instanceKeyString,
} from '../../core/instance.js';
import { type ConsentOffers, offerConsents } from '../../core/message/consentMessage.js';
import {
  type ChatPerson,
  instanceLabel,
  type NagOutcome,
  nagMessageFromRecord,
} from '../../core/message/nagMessage.js';
import type { RunTarget } from '../../core/message/runToken.js';
import { formatWhenIn } from '../../core/when.js';
import type { Log } from '../../log.js';
import type { AuditLog } from '../../ports/auditLog.js';
import type { Clock } from '../../ports/clock.js';
import type { MonitorApi } from '../../services/monitor/api.js';
import type { RunStopper } from '../../services/monitor/stop.js';
import { authorizeAct, authorizedAs } from './actAuthorization.js';
import {
  type ActionKind,
  type ActionRequest,
  type ActionResult,
  HIBERNATE_CHOICE,
  type RunMessages,
} from './actionTypes.js';
import type { Authorizer } from './authorizer.js';
import { resolveExtendChoice, resolveSnoozeChoice } from './choices.js';
import {
  type ConsentActionDeps,
  type ConsentActionKind,
  consentOffers,
  isConsentAction,
  runConsentAction,
} from './consentActions.js';
import { describeFailure } from './failureText.js';
import type { RunLedger } from './runLedger.js';
import { runStaleness, type Staleness, staleAnswer } from './staleRun.js';
import { stopAction } from './stopAction.js';

export { isOwnerOf } from './actAuthorization.js';
export type { ActionKind, ActionRequest, ActionResult, RunMessages } from './actionTypes.js';
export { HIBERNATE_CHOICE } from './actionTypes.js';

export interface ActionPipelineDeps {
  monitor: MonitorApi;
  stopper: Pick<RunStopper, 'stop'>;
  audit: AuditLog;
  authorizer: Authorizer;
  ledger: RunLedger;
  messages?: RunMessages;
  /** OWNER_TAG: an instance's owner may act on it from anywhere. */
  ownerTag?: string;
  /**
   * Stop at…, Stop when idle, Cancel and +1h. Optional: where the runtime
   * wires no consent service (or no idle check) those controls are neither
   * shown nor accepted.
   */
  consents?: ConsentActionDeps;
  clock: Clock;
  log: Log;
}

export class ActionPipeline {
  /** Which consent controls messages may show (see consentActions.ts). */
  readonly offers: ConsentOffers | undefined;

  constructor(private readonly deps: ActionPipelineDeps) {
    this.offers = consentOffers(deps.consents);
  }

  async handle(req: ActionRequest): Promise<ActionResult> {
    const { ctx } = req;
    const now = this.deps.clock();
    const requestKey = ctx.requestId ? `action#${ctx.actor.platform}#${ctx.requestId}` : undefined;
    if (requestKey && !(await this.deps.ledger.firstTime(requestKey, now))) {
      return { status: 'duplicate', notice: 'That request was already handled.', updatedRefs: [] };
    }
    try {
      const result = await this.run(req, now);
      if (requestKey) await this.deps.ledger.done(requestKey, now);
      // Every message a result shows offers only the consent controls this deployment honours.
      return result.message ? { ...result, message: offerConsents(result.message, this.offers) } : result;
    } catch (err) {
      if (requestKey) await this.deps.ledger.failed(requestKey).catch(() => undefined);
      throw err;
    }
  }

  private async run(req: ActionRequest, now: Date): Promise<ActionResult> {
    const { ctx, target, action } = req;
    const actor = `${ctx.actor.platform}:${ctx.actor.id}`;
    const person: ChatPerson = { platform: ctx.actor.platform, id: ctx.actor.id, name: ctx.actor.name };
    const what = `${action} ${instanceKeyString(target)}`;

    // A snooze or a stop at a time needs the clicker's time zone (for the choice and the notice): a
    // platform lookup (Slack users.info) that starts now runs alongside the reads instead of after them.
    const zoned = action === 'snooze' || action === 'stop-at' || action === 'postpone-stop';
    const timeZone = zoned ? ctx.actor.timeZone?.() : undefined;
    timeZone?.catch(() => undefined); // awaited below unless the click is refused first
    // Independent reads run together: clicks must answer well inside Slack's 3 s.
    const [channelRule, record] = await Promise.all([
      this.deps.authorizer.mayAct(ctx.actor, ctx.channel, target.group, authorizedAs(action)),
      this.deps.monitor.get(target),
    ]);
    // Outside a channel that follows the group (the owner's DM, a `mine` answer): the owner may still act.
    const allowed = channelRule.ok
      ? channelRule
      : await authorizeAct(this.deps.authorizer, ctx, target.group, action, record, this.deps.ownerTag);
    if (!allowed.ok) {
      await this.audit(now, actor, action, target, 'refused', allowed.reason);
      return { status: 'refused', notice: allowed.reason, updatedRefs: [] };
    }

    const stale = this.staleness(record, target);
    if (stale) return this.staleResult(stale, now, actor, action, target);
    if (record!.group !== target.group) {
      const reason = `${instanceLabel(record!)} now belongs to group \`${record!.group}\`, not \`${target.group}\`; act on it from a channel that follows \`${record!.group}\`.`;
      await this.audit(now, actor, action, target, 'refused', reason);
      return {
        status: 'refused',
        notice: reason,
        message: nagMessageFromRecord(record!, now),
        updatedRefs: [],
      };
    }

    try {
      let outcome: NagOutcome;
      let updated: InstanceRecord;
      let notice: string;
      if (action === 'stop') {
        return await stopAction(
          { stopper: this.deps.stopper, log: this.deps.log, rewrite: (r, o, at) => this.rewrite(r, o, at) },
          { target, person, record: record!, now, hibernate: req.choice === HIBERNATE_CHOICE },
        );
      }
      if (isConsentAction(action)) {
        const zone = await timeZone?.catch(() => undefined);
        return await this.consent(req, action, record!, person, now, zone);
      }
      if (action === 'snooze') {
        const until = req.snoozeUntil ?? this.resolveSnooze(req, now, await timeZone);
        if (typeof until === 'string') return { status: 'refused', notice: until, updatedRefs: [] };
        updated = await this.deps.monitor.snooze(target, until, actor);
        outcome = { kind: 'snoozed', by: person, until: until.toISOString() };
        notice = `Snoozed ${instanceLabel(record!)} until ${formatWhenIn(until, now, await timeZone)}.`;
      } else {
        const chosen =
          req.extendSeconds !== undefined
            ? { ok: true as const, value: req.extendSeconds }
            : resolveExtendChoice(req.choice ?? '');
        if (!chosen.ok) return { status: 'refused', notice: chosen.reason, updatedRefs: [] };
        const by = chosen.value;
        updated = await this.deps.monitor.extend(target, by, actor);
        outcome = { kind: 'extended', by: person, thresholdSeconds: effectiveThresholdSeconds(updated) };
        notice = `Extended ${instanceLabel(record!)}: the threshold for this run is now ${formatDuration(effectiveThresholdSeconds(updated))}.`;
      }
      const message = nagMessageFromRecord(updated, now, outcome);
      const [, updatedRefs] = await Promise.all([
        this.audit(now, actor, action, target, 'ok', notice),
        this.rewrite(updated, outcome, now),
      ]);
      return { status: 'done', message, notice, updatedRefs };
    } catch (err) {
      if (err instanceof ExtensionCapError) {
        await this.audit(now, actor, action, target, 'refused', err.message);
        return {
          status: 'refused',
          notice: err.message,
          message: nagMessageFromRecord(record!, now),
          updatedRefs: [],
        };
      }
      if (err instanceof StaleRunError || err instanceof NotFoundError) {
        const fresh = await this.deps.monitor.get(target);
        return this.staleResult(
          this.staleness(fresh, target) ?? { record: fresh, outcome: undefined },
          now,
          actor,
          action,
          target,
        );
      }
      const words = describeFailure(err, action, record!);
      this.deps.log.error('chat action failed', {
        action: what,
        actor,
        error: err instanceof Error ? err.message : String(err),
        code: err instanceof LightsOutError ? err.code : undefined,
      });
      await this.audit(now, actor, action, target, 'error', words);
      return {
        status: 'failed',
        notice: words,
        message: nagMessageFromRecord(record!, now),
        updatedRefs: [],
        retryable: err instanceof TransientError,
      };
    }
  }

  /** Stop at…, Stop when idle, Cancel, +1h: the consent service audits what it did; refusals are audited here. */
  private async consent(
    req: ActionRequest,
    action: ConsentActionKind,
    record: InstanceRecord,
    person: ChatPerson,
    now: Date,
    timeZone: string | undefined,
  ): Promise<ActionResult> {
    const { target, ctx } = req;
    const actor = `${ctx.actor.platform}:${ctx.actor.id}`;
    const r = await runConsentAction(this.deps.consents ?? {}, {
      action,
      run: target,
      label: instanceLabel(record),
      by: person,
      choice: req.choice,
      stopAt: req.stopAt,
      forSeconds: req.idleForSeconds,
      timeZone,
      now,
    });
    if (r.status !== 'done') {
      // The run ended or was replaced between the check and the change: the stale answer.
      const stale = r.record ? this.staleness(r.record, target) : undefined;
      if (stale) return this.staleResult(stale, now, actor, action, target);
      await this.audit(now, actor, action, target, 'refused', r.notice);
      return {
        status: 'refused',
        notice: r.notice,
        message: nagMessageFromRecord(r.record ?? record, now),
        updatedRefs: [],
      };
    }
    const updatedRefs = await this.rewrite(r.record, undefined, now);
    return {
      status: 'done',
      notice: r.notice,
      message: nagMessageFromRecord(r.record, now),
      updatedRefs,
      record: r.record,
    };
  }

  private resolveSnooze(req: ActionRequest, now: Date, timeZone: string | undefined): Date | string {
    const r = resolveSnoozeChoice(req.choice ?? '', now, timeZone);
    return r.ok ? r.value : r.reason;
  }

  private staleness(record: InstanceRecord | undefined, target: RunTarget): Staleness | undefined {
    return runStaleness(record, target);
  }

  /** `actor` is undefined when the stop operation already audited the attempt. */
  private async staleResult(
    stale: Staleness,
    now: Date,
    actor: string | undefined,
    action: ActionKind,
    target: RunTarget,
  ): Promise<ActionResult> {
    const { notice, message } = staleAnswer(stale, target, now);
    if (actor) await this.audit(now, actor, action, target, 'stale', notice);
    return { status: 'stale', notice, message, updatedRefs: [] };
  }

  private async rewrite(
    record: InstanceRecord,
    outcome: NagOutcome | undefined,
    now: Date,
  ): Promise<ChatMessageRef[]> {
    if (!this.deps.messages) return [];
    try {
      return await this.deps.messages.updateRun(record, outcome, now);
    } catch (err) {
      // The action happened; a message that could not be rewritten is not a reason to report failure.
      this.deps.log.warn('could not rewrite chat messages after action', { error: String(err) });
      return [];
    }
  }

  private async audit(
    now: Date,
    actor: string,
    action: ActionKind,
    target: RunTarget,
    result: string,
    detail: string,
  ): Promise<void> {
    try {
      await this.deps.audit.record({
        at: now.toISOString(),
        actor,
        action,
        target: `${instanceKeyString(target)}@${target.launchTime}`,
        result,
        detail,
      });
    } catch (err) {
      this.deps.log.error('audit write failed', { action, actor, error: String(err) });
    }
  }
}
