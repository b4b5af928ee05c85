import { beforeEach, describe, expect, it } from 'vitest';
import { DynamoAuditLog } from '../../src/aws/dynamodb/auditLog.js';
import { DynamoWorkloadRunStore } from '../../src/aws/dynamodb/dynamoWorkloadRunStore.js';
import { DynamoInstanceStore } from '../../src/aws/dynamodb/instanceStore.js';
import { workloadStepHandler } from '../../src/lambda/workloadStep.js';
import { createLogger } from '../../src/log.js';
import { createTable } from '../support/dynamoTable.js';
import { useMoto } from '../support/moto.js';
import { threeTierSpec, workloadWorld } from '../support/workloadWorld.js';

const moto = useMoto();
beforeEach(() => moto.reset());

/** Runs, instance records and the audit log are kept in DynamoDB, as on Lambda (this suite runs on Node 24, without SQLite). */
async function dynamoState() {
  const { doc, tableName } = await createTable(moto);
  return {
    runs: new DynamoWorkloadRunStore(doc, tableName),
    state: { instances: new DynamoInstanceStore(doc, tableName), audit: new DynamoAuditLog(doc, tableName) },
  };
}

describe('workloadStep Lambda handler', () => {
  it('runs the scheduled step of a run', async () => {
    const world = workloadWorld(moto, { specs: [threeTierSpec()], ...(await dynamoState()) });
    const [web] = await world.launch(1, { Environment: 'ENV001', Role: 'web' });
    const run = await world.service.begin('shop', 'stop', { requestedBy: 'cli:alice' });
    const handler = workloadStepHandler(() => ({
      service: world.service,
      log: createLogger('test', 'ERROR'),
    }));

    const result = await handler({ runId: run.runId, seq: 1, dueAt: run.requestedAt });

    expect(result).toEqual({ status: 'handled' });
    expect(
      world.ec2Calls.filter((c) => c.command === 'StopInstancesCommand').map((c) => c.input.InstanceIds),
    ).toEqual([[web]]);
  });

  it('drops malformed input with the reason', async () => {
    const world = workloadWorld(moto, { specs: [], ...(await dynamoState()) });
    const handler = workloadStepHandler(() => ({
      service: world.service,
      log: createLogger('test', 'ERROR'),
    }));

    const result = await handler({ runId: 'nope', seq: 0 });

    expect(result.status).toBe('dropped');
    expect(JSON.stringify(result)).toContain('a workload run id such as 20261121T044100Z-a1b2c3');
  });
});
