/** One contract for every WorkloadRunStore; adapters' test files run it. */
import { beforeEach, describe, expect, it } from 'vitest';
import { ConflictError } from '../../src/core/errors.js';
import { newRun, WorkloadBusyError, type WorkloadRun } from '../../src/core/workloads/run.js';
import type { WorkloadSpec } from '../../src/core/workloads/spec.js';
import type { WorkloadPlan } from '../../src/core/workloads/tierPlan.js';
import type { WorkloadRunStore } from '../../src/ports/workloadRunStore.js';

const plan = (workload: string): WorkloadPlan => ({
  workload,
  region: 'us-east-1',
  action: 'stop',
  warnings: [],
  tiers: [
    {
      tier: 'web',
      sequence: 0,
      synchronous: true,
      delayAfterSeconds: 10,
      instances: [{ instanceId: 'i-1', state: 'running', step: 'act', reason: 'running → stop' }],
    },
  ],
});

const spec = (name: string): WorkloadSpec => ({
  name,
  region: 'us-east-1',
  workloadTag: { key: 'App', value: name },
  tierTagKey: 'Tier',
  disabled: false,
  scaleInstanceDelaySeconds: 0,
  tiers: [
    {
      name: 'web',
      start: { sequence: 0, synchronous: true, delaySeconds: 0 },
      stop: { sequence: 0, synchronous: true, delaySeconds: 10 },
      scaling: {},
    },
  ],
});

const run = (workload: string, runId: string, by = 'cli:alice'): WorkloadRun =>
  newRun(plan(workload), spec(workload), { runId, requestedBy: by, now: new Date('2026-11-21T04:00:00Z') });

export function workloadRunStoreContract(name: string, make: () => Promise<WorkloadRunStore>) {
  describe(`${name} workload run store`, () => {
    let store: WorkloadRunStore;
    beforeEach(async () => {
      store = await make();
    });

    it('stores a run with its plan and progress and reads it back', async () => {
      const created = await store.create(run('shop', '20261121T040000Z-a'));

      const read = await store.get('20261121T040000Z-a');

      expect(created.version).toBe(1);
      expect(read).toEqual(created);
      expect(read?.tiers[0]?.instances[0]).toEqual({
        instanceId: 'i-1',
        status: 'pending',
        reason: 'running → stop',
      });
    });

    it('refuses a second active run on the same workload, naming who started the first', async () => {
      await store.create(run('shop', '20261121T040000Z-a', 'slack:U1'));

      const second = store.create(run('shop', '20261121T040100Z-b', 'cli:bob'));

      await expect(second).rejects.toBeInstanceOf(WorkloadBusyError);
      await expect(second).rejects.toThrow(/started by slack:U1/);
      expect(await store.get('20261121T040100Z-b')).toBeUndefined();
    });

    it('allows runs on other workloads and a new run once the first finished', async () => {
      const first = await store.create(run('shop', '20261121T040000Z-a'));
      await store.create(run('blog', '20261121T040000Z-c'));

      await store.save({
        ...first,
        status: 'succeeded',
        finishedAt: '2026-11-21T04:05:00Z',
        next: undefined,
      });
      const again = await store.create(run('shop', '20261121T041000Z-d'));

      expect(again.version).toBe(1);
      expect((await store.active()).map((r) => r.runId)).toEqual([
        '20261121T040000Z-c',
        '20261121T041000Z-d',
      ]);
    });

    it('saves with optimistic concurrency', async () => {
      const created = await store.create(run('shop', '20261121T040000Z-a'));
      const saved = await store.save({ ...created, warnings: ['one'] });

      const stale = store.save({ ...created, warnings: ['two'] });

      expect(saved.version).toBe(2);
      await expect(stale).rejects.toBeInstanceOf(ConflictError);
      expect((await store.get(created.runId))?.warnings).toEqual(['one']);
    });

    it('lists recent runs newest first, optionally for one workload', async () => {
      await store.create(run('shop', '20261121T040000Z-a'));
      await store.create(run('blog', '20261121T040500Z-b'));
      await store.create(run('docs', '20261121T041000Z-c'));

      expect((await store.recent(2)).map((r) => r.runId)).toEqual([
        '20261121T041000Z-c',
        '20261121T040500Z-b',
      ]);
      expect((await store.recent(10, 'shop')).map((r) => r.runId)).toEqual(['20261121T040000Z-a']);
    });
  });
}
