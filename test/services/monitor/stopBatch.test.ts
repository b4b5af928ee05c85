/**
 * How many StopInstances calls a batch costs: one per 1,000 instances, plus
 * one more per protected instance EC2 names, or one per instance when EC2
 * refuses the batch for another per-instance reason.
 */
import { describe, expect, it } from 'vitest';
import { AwsRequestError, TransientError } from '../../../src/core/errors.js';
import { stopInBatches } from '../../../src/services/monitor/stopBatch.js';
import { FakeFleet } from '../../support/fakes.js';

const REGION = 'eu-west-1';

function fleetOf(n: number): { fleet: FakeFleet; ids: string[] } {
  const fleet = new FakeFleet();
  const ids = Array.from({ length: n }, () => fleet.add({ region: REGION }).instanceId);
  return { fleet, ids };
}

describe('stopInBatches', () => {
  it('stops 2,500 instances in 3 calls', async () => {
    const { fleet, ids } = fleetOf(2500);

    const out = await stopInBatches(fleet, REGION, ids);

    expect(fleet.stats.stopCalls).toBe(3);
    expect(out.stopped).toHaveLength(2500);
  });

  it('sets aside each protected instance EC2 names and sends the rest again in one call', async () => {
    const { fleet, ids } = fleetOf(300);
    for (const id of [ids[10]!, ids[200]!]) fleet.stopProtectedKeys.add(`${REGION}/${id}`);

    const out = await stopInBatches(fleet, REGION, ids);

    expect(fleet.stats.stopCalls).toBe(3);
    expect(out.protected).toEqual([ids[10], ids[200]]);
    expect(out.stopped).toHaveLength(298);
  });

  it('retries one at a time when EC2 refuses the batch for one instance, so it fails alone', async () => {
    const { fleet, ids } = fleetOf(3);
    const bad = ids[1]!;
    const stop = fleet.stop.bind(fleet);
    fleet.stop = async (region, batch, opts) => {
      if (batch.includes(bad)) {
        fleet.stats.stopCalls += 1;
        throw new AwsRequestError(`IncorrectInstanceState: ${bad} is not running`);
      }
      return stop(region, batch, opts);
    };

    const out = await stopInBatches(fleet, REGION, ids);

    expect(out.stopped).toEqual([ids[0], ids[2]]);
    expect([...out.failed.keys()]).toEqual([bad]);
    expect(fleet.stats.stopCalls).toBe(4);
  });

  it('reports a failure that may have been applied as unknown, without retrying it', async () => {
    const { fleet, ids } = fleetOf(2);
    fleet.stop = async () => {
      fleet.stats.stopCalls += 1;
      throw new TransientError('RequestLimitExceeded');
    };

    const out = await stopInBatches(fleet, REGION, ids);

    expect([...out.unknown.keys()]).toEqual(ids);
    expect(fleet.stats.stopCalls).toBe(1);
  });
});
