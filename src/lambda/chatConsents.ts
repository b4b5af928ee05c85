/**
 * Consented stops in the chat functions that receive commands and clicks
 * (slackEvents, teamsMessages): `/ec2 stop <i> --at/--in`, `--when-idle`, and
 * the nag's Stop at…, Cancel, +1h and Stop when idle, all through the one
 * consent service, which records the consent and creates its one-shot stop
 * schedule (the consent function, consentStop, carries it out when it fires).
 *
 * Why the chat function creates the schedule itself rather than asking
 * consentStop (by an invocation, or through the table's stream):
 * - It already holds exactly that grant: it reschedules nags on snooze and
 *   extend, so it may create/delete schedules in the Lights Out group and pass
 *   the scheduler role to Scheduler only. The scheduler role, not the caller,
 *   decides what a fired schedule may invoke. Delegating would add a grant
 *   (lambda:InvokeFunction on consentStop) and take none away.
 * - The Scheduler client is in these functions already (nag schedules) and
 *   the AWS SDK is not bundled (Lambda's runtime provides it): this wiring adds
 *   only our own code, a few KB, to bundles that must stay within 1.0 MB.
 * - The reply tells the truth: "Stop scheduled for 19:00" is written only
 *   after CreateSchedule succeeded; a failure is the answer (and the consent
 *   is put back), not a message lost between two functions. The work runs in
 *   the hand-off invocation (handOff.ts), as every click and every command
 *   that changes something does, so the acknowledgement never waits on it and
 *   no second function's cold start stands between the click and the answer.
 *
 * The same stop scheduler goes to the chat functions' monitor engine, so a
 * Stop click or `/ec2 stop` deletes the run's stop schedule at once, as the
 * single process does (MonitorService.stopRequested).
 *
 * Stop when idle: only the idle function reads CloudWatch (its role alone may
 * call GetMetricData), so the chat reply does not judge the run; it says when
 * the first check comes.
 */
import { schedulerClient } from '../aws/clients.js';
import { EventBridgeStopScheduler } from '../aws/eventBridgeStopScheduler.js';
import type { Config } from '../config/index.js';
import type { Log } from '../log.js';
import type { AuditLog } from '../ports/auditLog.js';
import type { Clock } from '../ports/clock.js';
import type { Fleet } from '../ports/fleet.js';
import type { InstanceStore } from '../ports/instanceStore.js';
import type { IdleStopCommands } from '../services/consent/idleStopCheck.js';
import type { MonitorApi } from '../services/monitor/api.js';
import { consentService } from '../wiring/consentWiring.js';

/**
 * The stop schedules on EventBridge Scheduler, when the stack gave this
 * function the consent function (CONSENT_FUNCTION_ARN); without it nothing
 * is scheduled, and the commands say stopping later is not available.
 */
export function chatStopScheduler(config: Config, clock: Clock): EventBridgeStopScheduler | undefined {
  const { consentTargetArn, roleArn, groupName } = config.scheduler;
  if (!consentTargetArn || !roleArn) return undefined;
  return new EventBridgeStopScheduler(schedulerClient(config.monitor.regions[0] ?? 'us-east-1'), {
    groupName,
    targetArn: consentTargetArn,
    roleArn,
    clock,
  });
}

/** What the chat core needs for consented stops: the consent service and the idle settings for replies. */
export function chatConsents(
  config: Config,
  deps: {
    monitor: Pick<MonitorApi, 'stopRequested'>;
    stopScheduler: EventBridgeStopScheduler;
    store: InstanceStore;
    fleet: Fleet;
    audit: AuditLog;
    clock: Clock;
    log: Log;
  },
): IdleStopCommands {
  const consents = consentService(
    deps.monitor,
    {
      store: deps.store,
      fleet: deps.fleet,
      clock: deps.clock,
      settings: config.monitor,
      stopScheduler: deps.stopScheduler,
    },
    deps.audit,
    deps.log,
  );
  return {
    consents,
    // No `judge`: the idle function alone reads CloudWatch; its next check gives the first verdict.
    defaultWindowSeconds: config.idle.defaultWindowSeconds,
    checkEverySeconds: config.idle.checkEverySeconds,
    graceSeconds: config.monitor.stopWarningSeconds,
  };
}
