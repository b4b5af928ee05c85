/**
 * Records each ended run in the run history. It listens to the domain
 * events the outbox delivers (`instance.stopped`, `instance.terminated`),
 * which the engine writes in the same transaction as the record change that
 * ended the run: a crash before the history write leaves the event in the
 * outbox, and its redelivery records the run then. The history keeps the
 * first entry of a run, so redeliveries and the termination that follows a
 * stop change nothing.
 */
import type { DomainEvent } from '../../core/events.js';
import { historyEntryOf } from '../../core/runHistory.js';
import type { RunHistory } from '../../ports/runHistory.js';

export interface RunHistoryRecorderOptions {
  /** The tag naming an instance's owner (OWNER_TAG); `Owner` by default. */
  ownerTag?: string;
}

/** A domain-event listener; throwing (the history could not be written) makes the outbox retry. */
export function runHistoryRecorder(
  history: RunHistory,
  opts: RunHistoryRecorderOptions = {},
): (event: DomainEvent) => Promise<void> {
  return async (event) => {
    if (event.type !== 'instance.stopped' && event.type !== 'instance.terminated') return;
    await history.record(historyEntryOf(event, { ownerTag: opts.ownerTag }));
  };
}
