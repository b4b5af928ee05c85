/**
 * What goes into the action pipeline and what comes out: the platforms build
 * an ActionRequest from a click or a command and render the ActionResult.
 */
import type { ChatMessageRef, InstanceRecord } from '../../core/instance.js';
import type { NagMessage, NagOutcome } from '../../core/message/nagMessage.js';
import type { RunTarget } from '../../core/message/runToken.js';
import type { CommandContext } from './commandContext.js';
import type { ConsentActionKind } from './consentActions.js';

export type ActionKind = 'stop' | 'snooze' | 'extend' | ConsentActionKind;

/** The `choice` of a Stop that hibernates (the Hibernate button, `stop --hibernate`). */
export const HIBERNATE_CHOICE = 'hibernate';

export interface ActionRequest {
  action: ActionKind;
  target: RunTarget;
  /** A menu value (`4h`, `tomorrow-09:00`); or the explicit values below from a typed command. */
  choice?: string;
  snoozeUntil?: Date;
  extendSeconds?: number;
  /** `stop … --at/--in`: the stop time, already resolved in the person's zone. */
  stopAt?: Date;
  /** `stop … --when-idle --for 30m`: the idle window (the default otherwise). */
  idleForSeconds?: number;
  ctx: CommandContext;
}

export interface ActionResult {
  status: 'done' | 'refused' | 'stale' | 'failed' | 'duplicate';
  /** How the clicked message should read now; absent when the run is unknown. */
  message?: NagMessage;
  /** Shown only to the person who acted. */
  notice: string;
  /** Messages of this run the pipeline already rewrote (the platform can skip those). */
  updatedRefs: ChatMessageRef[];
  /** A failure another try may fix (AWS throttling, 5xx, a timeout); the caller may try again. */
  retryable?: boolean;
  /** The record as the action left it (consent actions), for replies that say more. */
  record?: InstanceRecord;
}

/** Rewrites every chat message of a run; implemented by ChatDelivery. */
export interface RunMessages {
  updateRun(record: InstanceRecord, outcome: NagOutcome | undefined, now: Date): Promise<ChatMessageRef[]>;
}
