import { DynamoWorkloadRunStore } from '../../../src/aws/dynamodb/dynamoWorkloadRunStore.js';
import { workloadRunStoreContract } from '../../ports/workloadRunStore.contract.js';
import { createTable } from '../../support/dynamoTable.js';
import { useMoto } from '../../support/moto.js';

const moto = useMoto();

workloadRunStoreContract('DynamoDB', async () => {
  await moto.reset();
  const { doc, tableName } = await createTable(moto);
  return new DynamoWorkloadRunStore(doc, tableName);
});
