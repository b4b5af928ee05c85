/**
 * A consented stop as the nag message shows it: the controls a deployment
 * may offer ("Stop at…", "Stop when idle"), the consent line ("Stop scheduled
 * for 19:00 by @ana", "Postponed to 20:00 by @bo"), who cancelled it, and the
 * warning replied in the nag's thread with Cancel and +1h. Pure; each
 * platform passes its own style (people, times in each reader's zone) and
 * escaper.
 */
import { formatDuration } from '../duration.js';
import type { InstanceRecord } from '../instance.js';
import { consentGiverText, isPerson, type StopConsent } from '../stopConsent.js';
import { STOP_AT_CHOICES } from './menuChoices.js';
import {
  type ChatPerson,
  instanceLabel,
  type NagMessage,
  type OutcomeStyle,
  outcomeStyle,
} from './nagMessage.js';
import { encodeRunToken } from './runToken.js';

/** Which consented stops a deployment can carry out; the chat core knows, the core message does not. */
export interface ConsentOffers {
  /** A stop scheduler runs: "Stop at…" (and its time picker). */
  stopAt: boolean;
  /** An idle check runs: "Stop when idle" with this default window (IDLE_WINDOW). */
  idleWindowSeconds?: number;
}

/**
 * `m` with the consent controls this deployment can honour: "Stop at…" and
 * "Stop when idle" on a live, stoppable run with no stop scheduled. Nothing is
 * offered that would then be refused (no scheduler, no idle check).
 */
export function offerConsents(m: NagMessage, offers: ConsentOffers | undefined): NagMessage {
  const { stopAtChoices: _a, stopWhenIdle: _w, ...rest } = m;
  // `actions.stop` is already false for an ended run and a stop-protected instance.
  const open = m.actions.stop && !m.consent;
  if (!open || !offers) return rest;
  return {
    ...rest,
    ...(offers.stopAt ? { stopAtChoices: STOP_AT_CHOICES } : {}),
    ...(offers.idleWindowSeconds ? { stopWhenIdle: { forSeconds: offers.idleWindowSeconds } } : {}),
  };
}

/** "Scheduled stop cancelled by @bo" */
export function consentCancelledText(c: { by: ChatPerson }, style: OutcomeStyle = outcomeStyle): string {
  return `Scheduled stop cancelled by ${style.person(c.by)}`;
}

/** Text as is: the plain style's escaper. Renderers pass their platform's. */
const asIs = (s: string): string => s;

/**
 * "Stop scheduled for 19:00 by @ana", "Stopping at 19:00 as the tag
 * AutoStop=at:19:00 asked", "Stop when idle for 30m, consented by @ana",
 * "Postponed to 20:00 by @bo (consented by @ana)". `esc` escapes what came
 * from a tag or a subscription; people and times are the style's.
 */
export function consentText(
  c: StopConsent,
  style: OutcomeStyle = outcomeStyle,
  esc: (s: string) => string = asIs,
): string {
  const by = giver(c.by, style, esc);
  if (c.kind === 'idle')
    return c.warnedAt
      ? `Idle for ${formatDuration(c.forSeconds)}: stopping soon, as ${by} consented`
      : `Stop when idle for ${formatDuration(c.forSeconds)}, consented by ${by}`;
  if (c.warnedAt) return `Stopping at ${style.time(c.at)}, as ${by} asked`;
  if (c.postponedBy)
    return `Postponed to ${style.time(c.at)} by ${style.person(c.postponedBy)} (stop consented by ${by})`;
  return `Stop scheduled for ${style.time(c.at)} by ${by}`;
}

function giver(by: StopConsent['by'], style: OutcomeStyle, esc: (s: string) => string): string {
  return isPerson(by) ? style.person(by) : esc(consentGiverText(by));
}

/**
 * The reply in a nag's thread when a consented stop is near: what the gateway
 * needs to word it for its readers (their own time zone) and to put Cancel
 * (and +1h for a stop at a time) under it, carrying the run token.
 */
export interface ConsentWarning {
  token: string;
  name?: string;
  instanceId: string;
  consent: StopConsent;
  /** When the warning was made (ISO): "stops in 10m" counts from here. */
  now: string;
}

/** The warning for `record`'s consented stop, made at `now`. */
export function consentWarning(
  record: Pick<InstanceRecord, 'name' | 'instanceId' | 'region' | 'launchTime' | 'group'>,
  consent: StopConsent,
  now: Date,
): ConsentWarning {
  const run = {
    region: record.region,
    instanceId: record.instanceId,
    launchTime: record.launchTime,
    group: record.group,
  };
  return {
    token: encodeRunToken(run),
    ...(record.name ? { name: record.name } : {}),
    instanceId: record.instanceId,
    consent,
    now: now.toISOString(),
  };
}

/** The controls under a warning: Cancel always, +1h only for a stop at a time. */
export const warningActions = (w: ConsentWarning): { cancel: true; postpone: boolean } => ({
  cancel: true,
  postpone: w.consent.kind === 'at',
});

/**
 * The warning's words: "⚠️ render-1 (i-…) stops in 10m (19:00), as @ana
 * asked. Press Cancel or +1h below to keep it running." Plain style (UTC,
 * unescaped) for notifications; gateways pass their own style and escaper.
 */
export function consentWarningText(
  w: ConsentWarning,
  style: OutcomeStyle = outcomeStyle,
  esc: (s: string) => string = asIs,
): string {
  const c = w.consent;
  const label = esc(instanceLabel(w));
  const by = giver(c.by, style, esc);
  if (c.kind === 'idle')
    return `⚠️ ${label} has been idle for ${formatDuration(c.forSeconds)} and stops after a short grace period, as ${by} consented. Press Cancel below to keep it running; if it gets busy again, the stop is called off.`;
  const left = Math.max(0, Math.round((Date.parse(c.at) - Date.parse(w.now)) / 1000));
  return `⚠️ ${label} stops in ${formatDuration(left)} (${style.time(c.at)}), as ${by} asked. Press Cancel or +1h below to keep it running.`;
}
