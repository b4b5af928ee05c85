/**
 * StopInstances for many instances of one region in as few calls as EC2
 * allows: up to 1,000 ids per call. EC2 refuses a whole call for one bad
 * instance, so:
 * - a stop-protected instance it names (OperationNotPermitted, DisableApiStop)
 *   is set aside and the rest are sent again in one call;
 * - any other refusal aimed at an instance (wrong state, unknown id) is
 *   retried one instance at a time, so that one fails alone.
 * A failure that may have been applied (throttling, 5xx, a lost answer) is
 * not retried here: those ids come back as `unknown` for the caller to decide.
 */
import { AwsRequestError, NotFoundError, StopProtectedError } from '../../core/errors.js';
import type { Fleet, StopOptions } from '../../ports/fleet.js';

export interface BatchStopOutcome {
  stopped: string[];
  protected: string[];
  /** Refused for this instance alone; the error says why. */
  failed: Map<string, unknown>;
  /** The call failed in a way that may have been applied anyway. */
  unknown: Map<string, unknown>;
}

/** EC2's StopInstances maximum per call. */
export const STOP_BATCH_SIZE = 1000;

const refusedForInstance = (err: unknown) => err instanceof AwsRequestError || err instanceof NotFoundError;

export async function stopInBatches(
  fleet: Pick<Fleet, 'stop'>,
  region: string,
  ids: string[],
  opts: StopOptions = {},
): Promise<BatchStopOutcome> {
  const out: BatchStopOutcome = { stopped: [], protected: [], failed: new Map(), unknown: new Map() };
  const unique = [...new Set(ids)];
  for (let i = 0; i < unique.length; i += STOP_BATCH_SIZE) {
    await stopChunk(fleet, region, unique.slice(i, i + STOP_BATCH_SIZE), opts, out);
  }
  return out;
}

async function stopChunk(
  fleet: Pick<Fleet, 'stop'>,
  region: string,
  chunk: string[],
  opts: StopOptions,
  out: BatchStopOutcome,
): Promise<void> {
  let pending = chunk;
  while (pending.length) {
    try {
      await fleet.stop(region, pending, opts);
      out.stopped.push(...pending);
      return;
    } catch (err) {
      const named = err instanceof StopProtectedError ? err.instanceId : undefined;
      if (named && pending.includes(named)) {
        out.protected.push(named);
        pending = pending.filter((id) => id !== named);
        continue;
      }
      if (err instanceof StopProtectedError && pending.length === 1) {
        out.protected.push(pending[0] as string);
        return;
      }
      if (!(err instanceof StopProtectedError) && !refusedForInstance(err)) {
        for (const id of pending) out.unknown.set(id, err);
        return;
      }
      if (pending.length === 1) {
        out.failed.set(pending[0] as string, err);
        return;
      }
      await oneByOne(fleet, region, pending, opts, out);
      return;
    }
  }
}

async function oneByOne(
  fleet: Pick<Fleet, 'stop'>,
  region: string,
  ids: string[],
  opts: StopOptions,
  out: BatchStopOutcome,
): Promise<void> {
  for (const id of ids) {
    try {
      await fleet.stop(region, [id], opts);
      out.stopped.push(id);
    } catch (err) {
      if (err instanceof StopProtectedError) out.protected.push(id);
      else if (refusedForInstance(err)) out.failed.set(id, err);
      else out.unknown.set(id, err);
    }
  }
}
