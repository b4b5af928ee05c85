import { describe, expect, it } from 'vitest';
import { DynamoWorkloadRunStore } from '../../../src/aws/dynamodb/dynamoWorkloadRunStore.js';
import { newRun } from '../../../src/core/workloads/run.js';
import type { WorkloadSpec } from '../../../src/core/workloads/spec.js';
import { workloadRunStoreContract } from '../../ports/workloadRunStore.contract.js';
import { createTable } from '../../support/dynamoTable.js';
import { useMoto } from '../../support/moto.js';

const moto = useMoto();

workloadRunStoreContract('DynamoDB', async () => {
  await moto.reset();
  const { doc, tableName } = await createTable(moto);
  return new DynamoWorkloadRunStore(doc, tableName);
});

describe('DynamoDB workload run store, large runs', () => {
  it('stores a run of 5,000 instances within the 400 KB item limit', async () => {
    await moto.reset();
    const { doc, tableName } = await createTable(moto);
    const store = new DynamoWorkloadRunStore(doc, tableName);
    const instances = Array.from({ length: 5000 }, (_, i) => ({
      instanceId: `i-${i.toString(16).padStart(17, '0')}`,
      state: 'running' as const,
      step: 'act' as const,
      reason: 'running → stop',
    }));
    const spec: WorkloadSpec = {
      name: 'big',
      region: 'us-east-1',
      workloadTag: { key: 'App', value: 'big' },
      tierTagKey: 'Tier',
      disabled: false,
      scaleInstanceDelaySeconds: 0,
      tiers: [
        {
          name: 'web',
          start: { sequence: 0, synchronous: false, delaySeconds: 0 },
          stop: { sequence: 0, synchronous: false, delaySeconds: 0 },
          scaling: {},
        },
      ],
    };
    const run = newRun(
      {
        workload: 'big',
        region: 'us-east-1',
        action: 'stop',
        warnings: [],
        tiers: [{ tier: 'web', sequence: 0, synchronous: false, delayAfterSeconds: 0, instances }],
      },
      spec,
      { runId: '20261121T040000Z-big', requestedBy: 'cli:alice', now: new Date('2026-11-21T04:00:00Z') },
    );

    await store.create(run);

    expect((await store.get(run.runId))?.tiers[0]?.instances).toHaveLength(5000);
  });
});
