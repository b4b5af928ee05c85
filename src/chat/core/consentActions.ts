/**
 * The consent controls on a nag ("Stop at…", its time picker, "Stop when
 * idle", Cancel, +1h) and the commands that do the same (`stop … --at`,
 * `--when-idle`, `--cancel`), as action kinds of the one action pipeline:
 * they are authorized as a stop, checked against the run and its group,
 * deduplicated and rewritten there. This module only turns a checked request
 * into a call on the consent service and words the answer.
 */
import { formatDuration } from '../../core/duration.js';
import type { InstanceRecord, RunActor, RunRef } from '../../core/instance.js';
import type { ConsentOffers } from '../../core/message/consentMessage.js';
import { POSTPONE_SECONDS } from '../../core/stopConsent.js';
import { formatWhenIn } from '../../core/when.js';
import type { StopConsentService } from '../../services/consent/stopConsentService.js';
import { resolveStopAtChoice } from './choices.js';

export type ConsentActionKind = 'stop-at' | 'stop-when-idle' | 'cancel-stop' | 'postpone-stop';

const KINDS: ReadonlySet<string> = new Set<ConsentActionKind>([
  'stop-at',
  'stop-when-idle',
  'cancel-stop',
  'postpone-stop',
]);

export const isConsentAction = (action: string): action is ConsentActionKind => KINDS.has(action);

/** What the consent controls need; each part absent where the deployment cannot honour it. */
export interface ConsentActionDeps {
  /** The consent service over a stop scheduler; absent: no "Stop at…", and no consent can be given. */
  consents?: Pick<StopConsentService, 'give' | 'cancel' | 'postpone'>;
  /** IDLE_WINDOW, the window of "Stop when idle"; absent where no idle check runs. */
  idleWindowSeconds?: number;
}

/** What the messages may offer, from what is wired: nothing is shown that would be refused. */
export function consentOffers(deps: ConsentActionDeps | undefined): ConsentOffers | undefined {
  if (!deps?.consents) return undefined;
  return {
    stopAt: true,
    ...(deps.idleWindowSeconds ? { idleWindowSeconds: deps.idleWindowSeconds } : {}),
  };
}

/** A consent action after the pipeline's checks: who, on which run, with what. */
export interface ConsentAction {
  action: ConsentActionKind;
  run: RunRef;
  /** `render-1 (i-0abc…)`, for the notice. */
  label: string;
  by: RunActor;
  /** A "Stop at…" menu value or a picked `HH:MM` (resolved in `timeZone`). */
  choice?: string;
  /** An exact stop time (`stop … --at/--in`, already resolved). */
  stopAt?: Date;
  /** The idle window of `stop … --when-idle --for`; the default otherwise. */
  forSeconds?: number;
  /** The person's zone (UTC when unknown): clock choices and the notice's times. */
  timeZone?: string;
  now: Date;
}

export type ConsentActionOutcome =
  | { status: 'done'; record: InstanceRecord; notice: string; forSeconds?: number }
  | { status: 'refused'; record?: InstanceRecord; notice: string };

const person = (p: RunActor): string => `@${p.name ?? p.id}`;

/** Gives, cancels or moves the consent; the notice says what happened, with times in the person's zone. */
export async function runConsentAction(
  deps: ConsentActionDeps,
  a: ConsentAction,
): Promise<ConsentActionOutcome> {
  const consents = deps.consents;
  if (!consents)
    return {
      status: 'refused',
      notice: 'Stopping later is not available here: no stop scheduler runs in this deployment.',
    };
  switch (a.action) {
    case 'stop-at': {
      let when = a.stopAt;
      if (!when) {
        const chosen = resolveStopAtChoice(a.choice ?? '', a.now, a.timeZone);
        if (!chosen.ok) return { status: 'refused', notice: chosen.reason };
        when = chosen.value;
      }
      const given = await consents.give(a.run, { kind: 'at', at: when.toISOString() }, a.by);
      if (given.status !== 'done') return given;
      return {
        ...given,
        notice: `Stop at ${formatWhenIn(when, a.now, a.timeZone)} scheduled by ${person(a.by)}: ${a.label}. Lights Out warns on its message 10 minutes before, with Cancel and +1h.`,
      };
    }
    case 'stop-when-idle': {
      const window = a.forSeconds ?? deps.idleWindowSeconds;
      if (!window)
        return {
          status: 'refused',
          notice: 'Stop when idle is not available here: no idle check runs in this deployment.',
        };
      const given = await consents.give(a.run, { kind: 'idle', forSeconds: window }, a.by);
      if (given.status !== 'done') return given;
      return {
        ...given,
        forSeconds: window,
        notice: `Stop when idle for ${formatDuration(window)} scheduled by ${person(a.by)}: ${a.label}.`,
      };
    }
    case 'cancel-stop': {
      const cancelled = await consents.cancel(a.run, a.by);
      if (cancelled.status !== 'done') return cancelled;
      return {
        ...cancelled,
        notice: `Scheduled stop cancelled by ${person(a.by)}: ${a.label} keeps running (${lowerFirst(cancelled.notice)})`,
      };
    }
    case 'postpone-stop': {
      const moved = await consents.postpone(a.run, POSTPONE_SECONDS, a.by);
      if (moved.status !== 'done') return moved;
      const at = moved.record.stopConsent?.kind === 'at' ? moved.record.stopConsent.at : undefined;
      return {
        ...moved,
        notice: at
          ? `Postponed to ${formatWhenIn(new Date(at), a.now, a.timeZone)} by ${person(a.by)}: ${a.label}.`
          : moved.notice,
      };
    }
  }
}

const lowerFirst = (text: string): string => text.charAt(0).toLowerCase() + text.slice(1);
