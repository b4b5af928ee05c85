import { readFileSync } from 'node:fs';
import { CreateTableCommand, DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient, PutCommand } from '@aws-sdk/lib-dynamodb';
import { beforeEach, describe, expect, it } from 'vitest';
import { DynamoWorkloadSpecSource } from '../../../src/aws/dynamodb/workloadSpecSource.js';
import { NotFoundError } from '../../../src/core/errors.js';
import { useMoto } from '../../support/moto.js';

const moto = useMoto();
beforeEach(() => moto.reset());

const fixture = (name: string) =>
  JSON.parse(
    readFileSync(new URL(`../../fixtures/workload-specs/${name}`, import.meta.url), 'utf8'),
  ) as Record<string, unknown>;

/** AWS_EC2_Scheduler's two tables, keyed as its users created them. */
async function orchestratorTables() {
  const client = new DynamoDBClient(moto.clientConfig);
  await client.send(
    new CreateTableCommand({
      TableName: 'WorkloadSpecification',
      BillingMode: 'PAY_PER_REQUEST',
      AttributeDefinitions: [{ AttributeName: 'SpecName', AttributeType: 'S' }],
      KeySchema: [{ AttributeName: 'SpecName', KeyType: 'HASH' }],
    }),
  );
  await client.send(
    new CreateTableCommand({
      TableName: 'TierSpecification',
      BillingMode: 'PAY_PER_REQUEST',
      AttributeDefinitions: [
        { AttributeName: 'SpecName', AttributeType: 'S' },
        { AttributeName: 'TierTagValue', AttributeType: 'S' },
      ],
      KeySchema: [
        { AttributeName: 'SpecName', KeyType: 'HASH' },
        { AttributeName: 'TierTagValue', KeyType: 'RANGE' },
      ],
    }),
  );
  return DynamoDBDocumentClient.from(client);
}

describe('DynamoDB workload spec source', () => {
  it('reads the documented rows from the AWS_EC2_Scheduler tables unchanged', async () => {
    const doc = await orchestratorTables();
    await doc.send(
      new PutCommand({ TableName: 'WorkloadSpecification', Item: fixture('workload-specification.json') }),
    );
    await doc.send(
      new PutCommand({ TableName: 'TierSpecification', Item: fixture('tier-specification-linux.json') }),
    );
    for (const [tier, start, stop] of [
      ['Role_App', '1', '1'],
      ['Role_DB', '0', '2'],
    ]) {
      await doc.send(
        new PutCommand({
          TableName: 'TierSpecification',
          Item: {
            SpecName: 'BotoTestCase1',
            TierTagValue: tier,
            TierStart: { TierSequence: start, TierSynchronization: 'True' },
            TierStop: { TierSequence: stop, TierSynchronization: 'True' },
          },
        }),
      );
    }
    const source = new DynamoWorkloadSpecSource(doc, {
      workloadTable: 'WorkloadSpecification',
      tierTable: 'TierSpecification',
    });

    const { specs, problems } = await source.load();

    expect(problems).toEqual([]);
    expect(specs.map((s) => [s.name, s.tiers.map((t) => t.name).sort()])).toEqual([
      ['BotoTestCase1', ['Role_App', 'Role_DB', 'Role_Web']],
    ]);
    expect(source.origin).toBe('DynamoDB tables WorkloadSpecification and TierSpecification');
  });

  it('names the problem in a stored row', async () => {
    const doc = await orchestratorTables();
    await doc.send(
      new PutCommand({ TableName: 'WorkloadSpecification', Item: fixture('workload-specification.json') }),
    );

    const { specs, problems } = await new DynamoWorkloadSpecSource(doc, {
      workloadTable: 'WorkloadSpecification',
      tierTable: 'TierSpecification',
    }).load();

    expect(specs).toEqual([]);
    expect(problems).toEqual([
      'workload "BotoTestCase1": has no tiers; add at least one tier (TierSpecification row) for it',
    ]);
  });

  it('names the settings to check when a table does not exist', async () => {
    const doc = await orchestratorTables();

    const load = new DynamoWorkloadSpecSource(doc, {
      workloadTable: 'WorkloadSpecification',
      tierTable: 'TierSpecs',
    }).load();

    await expect(load).rejects.toBeInstanceOf(NotFoundError);
    await expect(load).rejects.toThrow(
      'workload spec table "TierSpecs" does not exist; check WORKLOAD_SPEC_TABLE / TIER_SPEC_TABLE and WORKLOAD_SPEC_REGION',
    );
  });
});
