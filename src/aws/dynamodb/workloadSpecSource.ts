/**
 * Workload specs from AWS_EC2_Scheduler's own two DynamoDB tables
 * (WorkloadSpecification keyed by SpecName; TierSpecification keyed by
 * SpecName + TierTagValue), so its users keep their data where it is.
 * Both tables are small; a paginated Scan of each per load is the whole cost.
 */
import { type DynamoDBDocumentClient, ScanCommand } from '@aws-sdk/lib-dynamodb';
import { NotFoundError } from '../../core/errors.js';
import { type SpecLoad, specsFromOrchestratorRows } from '../../core/workloads/schedulerRows.js';
import type { WorkloadSpecSource } from '../../ports/workloadSpecSource.js';
import { awsCall } from '../errors.js';

export class DynamoWorkloadSpecSource implements WorkloadSpecSource {
  readonly origin: string;

  constructor(
    private readonly doc: DynamoDBDocumentClient,
    private readonly tables: { workloadTable: string; tierTable: string },
  ) {
    this.origin = `DynamoDB tables ${tables.workloadTable} and ${tables.tierTable}`;
  }

  async load(): Promise<SpecLoad> {
    const [workloads, tiers] = await Promise.all([
      this.scan(this.tables.workloadTable),
      this.scan(this.tables.tierTable),
    ]);
    return specsFromOrchestratorRows(workloads, tiers);
  }

  private async scan(table: string): Promise<Record<string, unknown>[]> {
    const rows: Record<string, unknown>[] = [];
    let startKey: Record<string, unknown> | undefined;
    do {
      const page = await awsCall(`Scan ${table}`, () =>
        this.doc.send(
          new ScanCommand({ TableName: table, ExclusiveStartKey: startKey, ConsistentRead: true }),
        ),
      ).catch((err: unknown) => {
        // A wrong table name or region is the usual cause; say which settings point here.
        if (err instanceof NotFoundError) {
          throw new NotFoundError(
            `workload spec table "${table}" does not exist; check WORKLOAD_SPEC_TABLE / TIER_SPEC_TABLE and WORKLOAD_SPEC_REGION, or set WORKLOAD_SPEC_SOURCE=file to read workloads.yaml`,
            { cause: err },
          );
        }
        throw err;
      });
      rows.push(...((page.Items ?? []) as Record<string, unknown>[]));
      startKey = page.LastEvaluatedKey;
    } while (startKey);
    return rows;
  }
}
