/**
 * The idle check, every IDLE_CHECK_EVERY (5–15 minutes): for every running
 * run with a "stop when idle" consent (given in chat, by the `AutoStop=idle:`
 * tag, or by its group's `--autostop idle:`), read CloudWatch in one batched
 * call per region, judge each run over its own window, and act through the
 * consent service: warn once idle for the whole window, stop when still idle
 * after the grace period (unless someone pressed Cancel), call the stop off
 * when the run is busy again. No data is never idle, so it never stops.
 *
 * Runs with no idle consent cost nothing: they are not read.
 */
import { formatDuration } from '../../core/duration.js';
import { groupAutoStopText, groupIdleWindow } from '../../core/groupAutoStop.js';
import { type IdleThresholds, type IdleVerdict, judgeIdle } from '../../core/idle.js';
import { decideIdleStop } from '../../core/idleStopDecision.js';
import { type InstanceRecord, instanceKeyString, type RunRef } from '../../core/instance.js';
import { decideStandingConsent } from '../../core/stopConsent.js';
import { type Log, silentLog } from '../../log.js';
import type { Clock } from '../../ports/clock.js';
import type { Fleet } from '../../ports/fleet.js';
import type { InstanceMetricsSource } from '../../ports/instanceMetrics.js';
import type { InstanceStore } from '../../ports/instanceStore.js';
import type { SubscriptionStore } from '../../ports/subscriptionStore.js';
import type { StopConsentService } from './stopConsentService.js';

export interface IdleStopCheckDeps {
  store: InstanceStore;
  fleet: Fleet;
  metrics: InstanceMetricsSource;
  consents: Pick<StopConsentService, 'give' | 'idleWarned' | 'idleCalledOff' | 'stopIdle'>;
  /** Where groups keep their standing consent (`subscribe <group> --autostop idle:30m`). */
  subscriptions?: Pick<SubscriptionStore, 'forGroup'>;
  clock: Clock;
  settings: {
    regions: string[];
    thresholds: IdleThresholds;
    /** Between the warning and the stop: the time people have to press Cancel. */
    graceSeconds: number;
  };
  log?: Log;
}

/** What `stop … --when-idle` needs: give the consent, and judge the run now for the reply. */
export interface IdleStopCommands {
  /** The consent service (over a stop scheduler): chat also cancels and moves stops through it. */
  consents: Pick<StopConsentService, 'give' | 'cancel' | 'postpone'>;
  /**
   * The run judged now, for the reply. Absent where this process may not read
   * CloudWatch (the Lambda chat functions: only the idle function may); the
   * reply then says when the first check comes.
   */
  judge?(run: RunRef, windowSeconds: number): Promise<IdleVerdict>;
  /** IDLE_WINDOW, IDLE_CHECK_EVERY and the grace period (STOP_WARNING), for the reply. */
  defaultWindowSeconds: number;
  checkEverySeconds: number;
  graceSeconds: number;
}

export interface IdleCheckReport {
  /** Runs with an idle consent that were judged. */
  checked: number;
  given: string[];
  warned: string[];
  stopped: string[];
  calledOff: string[];
  /** `region/instance: reason` for each run left as it was. */
  waiting: string[];
}

export class IdleStopCheck {
  constructor(private readonly deps: IdleStopCheckDeps) {}

  private get log(): Log {
    return this.deps.log ?? silentLog;
  }

  /** One run judged now over `windowSeconds` (the reply to `stop … --when-idle`). */
  async judge(run: RunRef, windowSeconds: number): Promise<IdleVerdict> {
    const now = this.deps.clock();
    const [live] = await this.deps.fleet.find(run.region, { instanceIds: [run.instanceId] });
    const series = await this.deps.metrics.read(
      run.region,
      [{ instanceId: run.instanceId, detailedMonitoring: live?.detailedMonitoring }],
      { windowSeconds, now },
    );
    return judgeIdle(series.get(run.instanceId)!, windowSeconds, this.deps.settings.thresholds, now);
  }

  /** One check of every region; a failing region is logged and the others still run. */
  async check(): Promise<IdleCheckReport> {
    const report: IdleCheckReport = {
      checked: 0,
      given: [],
      warned: [],
      stopped: [],
      calledOff: [],
      waiting: [],
    };
    for (const region of this.deps.settings.regions) {
      try {
        await this.checkRegion(region, report);
      } catch (err) {
        this.log.error('idle check failed for a region', { region, error: String(err) });
      }
    }
    const acted =
      report.given.length + report.warned.length + report.stopped.length + report.calledOff.length;
    (acted ? this.log.info : this.log.debug).call(this.log, 'idle check finished', {
      ...report,
      waiting: report.waiting.length,
    });
    return report;
  }

  private async checkRegion(region: string, report: IdleCheckReport): Promise<void> {
    const running = await this.deps.store.list({ region, states: ['running'] });
    const records = await this.withGroupConsent(running, report);
    const watched = records.filter((r) => r.stopConsent?.kind === 'idle');
    if (watched.length === 0) return;
    const now = this.deps.clock();
    const live = new Map(
      (await this.deps.fleet.find(region, { instanceIds: watched.map((r) => r.instanceId) })).map((i) => [
        i.instanceId,
        i,
      ]),
    );
    const judged = watched.filter((r) => live.get(r.instanceId)?.state === 'running');
    const longest = Math.max(...judged.map((r) => (r.stopConsent as { forSeconds: number }).forSeconds), 0);
    if (judged.length === 0) return;
    const series = await this.deps.metrics.read(
      region,
      judged.map((r) => ({
        instanceId: r.instanceId,
        detailedMonitoring: live.get(r.instanceId)?.detailedMonitoring,
      })),
      { windowSeconds: longest, now },
    );
    for (const record of judged) {
      report.checked += 1;
      const consent = record.stopConsent as { kind: 'idle'; forSeconds: number; warnedAt?: string };
      const verdict = judgeIdle(
        series.get(record.instanceId)!,
        consent.forSeconds,
        this.deps.settings.thresholds,
        now,
      );
      const decision = decideIdleStop(consent, verdict, now, this.deps.settings.graceSeconds);
      const run: RunRef = { region, instanceId: record.instanceId, launchTime: record.launchTime };
      const key = instanceKeyString(run);
      try {
        if (decision.act === 'warn') {
          await this.deps.consents.idleWarned(run, decision.reason);
          report.warned.push(key);
        } else if (decision.act === 'stop') {
          const stop = await this.deps.consents.stopIdle(run, decision.reason);
          if (stop) report.stopped.push(`${key}: ${stop.status}`);
          else report.waiting.push(`${key}: the consent changed before the stop`);
        } else if (decision.act === 'retract') {
          await this.deps.consents.idleCalledOff(run, decision.reason);
          report.calledOff.push(key);
        } else {
          report.waiting.push(`${key}: ${decision.reason}`);
        }
      } catch (err) {
        // One run's failure must not hold the others back; the next check tries again.
        this.log.error('idle check failed for a run', {
          instance: key,
          act: decision.act,
          error: String(err),
        });
      }
    }
  }

  /**
   * Gives the group's standing consent to runs that have none yet (once per
   * run: not after someone cancelled it). Returns the records as they are now.
   */
  private async withGroupConsent(
    records: InstanceRecord[],
    report: IdleCheckReport,
  ): Promise<InstanceRecord[]> {
    const subscriptions = this.deps.subscriptions;
    if (!subscriptions) return records;
    const windows = new Map<string, number | undefined>();
    const out: InstanceRecord[] = [];
    for (const record of records) {
      if (record.stopConsent || record.consentCancelled) {
        out.push(record);
        continue;
      }
      if (!windows.has(record.group))
        windows.set(record.group, groupIdleWindow(await subscriptions.forGroup(record.group)));
      const forSeconds = windows.get(record.group);
      if (forSeconds === undefined) {
        out.push(record);
        continue;
      }
      const detail = groupAutoStopText({ kind: 'idle', forSeconds });
      const decision = decideStandingConsent(
        record,
        { spec: { kind: 'idle', forSeconds }, by: { source: 'group', detail } },
        this.deps.clock(),
        'UTC',
      );
      if (decision.action !== 'give') {
        out.push(record);
        continue;
      }
      const run = { region: record.region, instanceId: record.instanceId, launchTime: record.launchTime };
      const given = await this.deps.consents.give(run, { kind: 'idle', forSeconds }, decision.consent.by);
      if (given.status === 'done') {
        report.given.push(
          `${instanceKeyString(run)}: group ${record.group} idle for ${formatDuration(forSeconds)}`,
        );
        out.push(given.record);
      } else if (given.record) out.push(given.record);
    }
    return out;
  }
}
