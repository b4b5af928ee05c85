/**
 * The nag message as facts, an outcome and the buttons that still apply.
 * Computed once here; Slack renders it as Block Kit, Teams as an Adaptive Card.
 */

import { formatDuration } from '../duration.js';
import { evidenceText, type IdleEvidence } from '../idle.js';
import type { ActorPlatform, ChatPlatform, RunActor, RunStop } from '../instance.js';
import {
  consoleUrl,
  effectiveThresholdSeconds,
  type InstanceRecord,
  instanceWarnings,
  runtimeSeconds,
} from '../instance.js';
import type { EscalationTarget } from '../nagRouting.js';
import type { NagNotification } from '../notification.js';
import { formatCost, type InstancePrice } from '../price.js';
import type { StopConsent } from '../stopConsent.js';
import { formatDayTimeUtc } from '../when.js';
import { type Choice, EXTEND_CHOICES, SNOOZE_CHOICES } from './menuChoices.js';
import { encodeRunToken, type RunTarget } from './runToken.js';

export interface NagFacts {
  name?: string;
  instanceId: string;
  region: string;
  availabilityZone?: string;
  instanceType?: string;
  account?: string;
  group: string;
  runtimeSeconds: number;
  thresholdSeconds: number;
  nagCount: number;
  /** ISO; renderers show it in each reader's own time zone where the platform can. */
  launchTime: string;
  warnings: string[];
  consoleUrl: string;
  /** CloudWatch's recent figures for the run (the evidence line); absent when unknown. */
  idle?: IdleEvidence;
  /** Stop may hibernate it: the message also offers Hibernate. */
  hibernationConfigured?: boolean;
  /** DisableApiStop: the message says "stop-protected" instead of offering Stop. */
  stopProtected?: boolean;
  /** The run's hourly price; absent while unknown (the cost line then says so). */
  price?: InstancePrice;
}

/** Who did something, so each platform can mention them its own way (a chat user, or the CLI). */
export type ChatPerson = RunActor;

/** What happened to the run, written into the message. */
export type NagOutcome =
  | { kind: 'stopped'; by: ChatPerson; runtimeSeconds: number; hibernated?: boolean }
  | { kind: 'snoozed'; by: ChatPerson; until: string }
  | { kind: 'extended'; by: ChatPerson; thresholdSeconds: number }
  /**
   * Stopped, not through Lights Out. `unobserved`: nobody saw the stop (the
   * process was down, or the event lost); the run was closed when the next
   * launch was seen, and `runtimeSeconds` counts to when it was last seen running.
   */
  | { kind: 'stopped-outside'; runtimeSeconds: number; unobserved?: true }
  | { kind: 'terminated'; runtimeSeconds?: number }
  | { kind: 'restarted' };

export interface NagMessage {
  run: RunTarget;
  /** Carried by every button and menu of this message; see runToken.ts. */
  token: string;
  facts: NagFacts;
  outcome?: NagOutcome;
  /** Which controls apply; they go once the run is over. `hibernate`: Stop is also offered as Hibernate. */
  actions: { stop: boolean; snooze: boolean; extend: boolean; hibernate?: boolean };
  snoozeChoices: readonly Choice[];
  extendChoices: readonly Choice[];
  /** An escalated nag posted anew names its group's escalation target (see nagRouting.ts). */
  mention?: EscalationTarget[];
  /**
   * The stop consented for later while the run is live: shown with Cancel,
   * and +1h once the warning went out. Absent when none is scheduled.
   */
  consent?: StopConsent;
  /** Cancel (any consent) and +1h (a stop at a time) while a consented stop is pending. */
  consentActions?: { cancel: boolean; postpone: boolean };
  /** "Scheduled stop cancelled by @bo": the run's consent was withdrawn and none given since. */
  consentCancelled?: { by: ChatPerson; at: string };
  /**
   * "Stop at…" choices, offered with Stop while no stop is scheduled, and
   * only where a stop scheduler runs (set by `offerConsents`, consentMessage.ts).
   */
  stopAtChoices?: readonly Choice[];
  /** "Stop when idle" with this window, only where an idle check runs (set by `offerConsents`). */
  stopWhenIdle?: { forSeconds: number };
}

/** The outcome a run's recorded stop by someone reads as (Stopped/Hibernated by …). */
export function stoppedOutcome(
  stop: RunStop & { by: RunActor },
  runtimeSeconds = stop.runtimeSeconds,
): NagOutcome {
  return { kind: 'stopped', by: stop.by, runtimeSeconds, ...(stop.hibernated ? { hibernated: true } : {}) };
}

/** The outcome of a stop not made through Lights Out, seen elsewhere or not seen at all. */
export function outsideStopOutcome(stop: RunStop | undefined, runtimeSeconds: number): NagOutcome {
  return { kind: 'stopped-outside', runtimeSeconds, ...(stop?.unobserved ? { unobserved: true } : {}) };
}

/** `web-1 (i-0abc…)` or just the id when the instance has no Name tag. */
export function instanceLabel(f: Pick<NagFacts, 'name' | 'instanceId'>): string {
  return f.name ? `${f.name} (${f.instanceId})` : f.instanceId;
}

/** One line summary: "web-1 (i-0abc) has been running 13h 02m (threshold 12h)". */
export function headline(m: NagMessage): string {
  const f = m.facts;
  const base = `${instanceLabel(f)} has been running ${formatDuration(f.runtimeSeconds)}`;
  if (m.outcome && !isRunning(m.outcome))
    return `${instanceLabel(f)}: ${outcomeText(m.outcome, outcomeStyle)}`;
  return `${base} (threshold ${formatDuration(f.thresholdSeconds)})`;
}

function isRunning(o: NagOutcome): boolean {
  return o.kind === 'snoozed' || o.kind === 'extended';
}

/** How a platform names people and times inside outcome text. */
export interface OutcomeStyle {
  person(p: ChatPerson): string;
  /** A moment with its day; Slack and Teams render it in each reader's zone, plain text in UTC. */
  time(iso: string): string;
}

/** The plain style: `@name`, times in UTC; for notices and logs. */
export const outcomeStyle: OutcomeStyle = {
  person: (p) => `@${p.name ?? p.id}`,
  time: (iso) => formatDayTimeUtc(new Date(iso)),
};

const PLATFORM_NAME: Record<ChatPlatform, string> = { slack: 'Slack', teams: 'Teams' };
const ACTED_FROM: Record<ActorPlatform, string> = {
  slack: 'in Slack',
  teams: 'in Teams',
  cli: 'from the CLI',
  workload: 'by a workload run',
  schedule: 'on a schedule',
};

/** "Stopped by @alice after 13h 02m", "Snoozed by @bob until 18:00", … */
export function outcomeText(
  o: NagOutcome,
  style: OutcomeStyle = outcomeStyle,
  seenOn?: ChatPlatform,
): string {
  switch (o.kind) {
    case 'stopped': {
      const chat = o.by.platform === 'slack' || o.by.platform === 'teams';
      const via = !chat || (seenOn && seenOn !== o.by.platform) ? ` (${ACTED_FROM[o.by.platform]})` : '';
      return `${o.hibernated ? 'Hibernated' : 'Stopped'} by ${style.person(o.by)}${via} after ${formatDuration(o.runtimeSeconds)}`;
    }
    case 'snoozed':
      return `Snoozed by ${style.person(o.by)} until ${style.time(o.until)}`;
    case 'extended':
      return `Threshold extended to ${formatDuration(o.thresholdSeconds)} by ${style.person(o.by)}`;
    case 'stopped-outside':
      // Nobody saw this stop: say so, and what the time counts to, rather than where it was made.
      if (o.unobserved)
        return `This run is over: it stopped while Lights Out wasn't watching; counted to when last seen running, ${formatDuration(o.runtimeSeconds)}`;
      return `Stopped outside ${seenOn ? PLATFORM_NAME[seenOn] : 'chat'} after ${formatDuration(o.runtimeSeconds)}`;
    case 'terminated':
      return 'Terminated';
    case 'restarted':
      return 'Restarted since this message was posted; this run is over';
  }
}

/**
 * A stop-protected instance offers no Stop (EC2 would refuse it); one with
 * hibernation configured offers Hibernate beside Stop.
 */
function controlsFor(outcome: NagOutcome | undefined, facts: NagFacts): NagMessage['actions'] {
  const live = !outcome || isRunning(outcome);
  const stoppable = live && !facts.stopProtected;
  return {
    stop: stoppable,
    snooze: live,
    extend: live,
    ...(stoppable && facts.hibernationConfigured ? { hibernate: true } : {}),
  };
}

/** What a message shows in place of Stop for a stop-protected instance, and why. */
export const STOP_PROTECTED_NOTE =
  'stop-protected: DisableApiStop is set, so nobody can stop it until its owner lifts it (aws ec2 modify-instance-attribute --no-disable-api-stop)';

/** Whether the message should show STOP_PROTECTED_NOTE: a live run whose instance is stop-protected. */
export const showsStopProtected = (m: NagMessage): boolean =>
  m.facts.stopProtected === true && (!m.outcome || isRunning(m.outcome));

function message(
  run: RunTarget,
  facts: NagFacts,
  outcome?: NagOutcome,
  consent?: StopConsent,
  cancelled?: InstanceRecord['consentCancelled'],
): NagMessage {
  const actions = controlsFor(outcome, facts);
  return {
    run,
    token: encodeRunToken(run),
    facts,
    outcome,
    actions,
    snoozeChoices: SNOOZE_CHOICES,
    extendChoices: EXTEND_CHOICES,
    ...withConsent(actions.stop, consent, cancelled),
  };
}

/**
 * A live run shows its consented stop with Cancel (and +1h for a stop at a
 * time: +1h means nothing to an idle stop), or who cancelled the last one;
 * an ended run neither. "Stop at…" is added by `offerConsents`.
 */
function withConsent(
  live: boolean,
  consent: StopConsent | undefined,
  cancelled: InstanceRecord['consentCancelled'],
): Partial<NagMessage> {
  if (!live) return {};
  if (consent) return { consent, consentActions: { cancel: true, postpone: consent.kind === 'at' } };
  return cancelled ? { consentCancelled: cancelled } : {};
}

/** The message for a fresh nag from the engine. */
export function nagMessageFromNotification(n: NagNotification): NagMessage {
  const run = { region: n.region, instanceId: n.instanceId, launchTime: n.launchTime, group: n.group };
  return message(
    run,
    {
      name: n.name,
      instanceId: n.instanceId,
      region: n.region,
      availabilityZone: n.availabilityZone,
      instanceType: n.instanceType,
      account: n.account,
      group: n.group,
      runtimeSeconds: n.runtimeSeconds,
      thresholdSeconds: n.thresholdSeconds,
      nagCount: n.nagCount,
      launchTime: n.launchTime,
      warnings: [...n.warnings],
      consoleUrl: n.consoleUrl,
      ...(n.idle ? { idle: n.idle } : {}),
      ...stopFacts(n),
      ...(n.price ? { price: n.price } : {}),
    },
    undefined,
    n.stopConsent,
  );
}

function stopFacts(x: { hibernationConfigured?: boolean; stopProtected?: boolean }): Partial<NagFacts> {
  return {
    ...(x.hibernationConfigured ? { hibernationConfigured: true } : {}),
    ...(x.stopProtected ? { stopProtected: true } : {}),
  };
}

/** The cost line of every nag: "$4.10/h · $53 so far", or "price unknown", never $0. */
export function costLine(f: Pick<NagFacts, 'price' | 'runtimeSeconds'>): string {
  return formatCost(f.price, f.runtimeSeconds);
}

/** The evidence line, "CPU 0.4% avg over the last 2h · network 12 KB", when the facts have it. */
export function idleEvidenceLine(f: Pick<NagFacts, 'idle'>): string | undefined {
  return f.idle ? evidenceText(f.idle) : undefined;
}

/**
 * The message for a run as the store knows it at `now`, with an optional
 * outcome; used after actions and domain events. `runtimeOverride` pins the
 * runtime of a run that has ended.
 */
export function nagMessageFromRecord(
  record: InstanceRecord,
  now: Date,
  outcome?: NagOutcome,
  runtimeOverride?: number,
): NagMessage {
  const run = {
    region: record.region,
    instanceId: record.instanceId,
    launchTime: record.launchTime,
    group: record.group,
  };
  return message(
    run,
    {
      name: record.name,
      instanceId: record.instanceId,
      region: record.region,
      availabilityZone: record.availabilityZone,
      instanceType: record.instanceType,
      account: record.accountId,
      group: record.group,
      runtimeSeconds: runtimeOverride ?? endedRuntime(outcome) ?? runtimeSeconds(record, now),
      thresholdSeconds: effectiveThresholdSeconds(record),
      nagCount: record.nagCount,
      launchTime: record.launchTime,
      warnings: instanceWarnings(record),
      consoleUrl: consoleUrl(record),
      ...stopFacts(record),
      ...(record.price ? { price: record.price } : {}),
    },
    outcome,
    record.stopConsent,
    record.consentCancelled,
  );
}

/** A run that has ended shows the runtime it ended with, not the time since launch. */
function endedRuntime(outcome: NagOutcome | undefined): number | undefined {
  if (outcome?.kind === 'stopped' || outcome?.kind === 'stopped-outside' || outcome?.kind === 'terminated')
    return outcome.runtimeSeconds;
  return undefined;
}

/**
 * The short thread reply a repeat nag leaves under the original message. It
 * carries the cost too: a broadcast repeat is what most people read, not the card.
 */
export function repeatNagText(f: NagFacts): string {
  return `Still running after ${formatDuration(f.runtimeSeconds)} (threshold ${formatDuration(f.thresholdSeconds)}, reminder ${f.nagCount}) · ${costLine(f)}.`;
}
