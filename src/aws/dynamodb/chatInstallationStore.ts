/**
 * Chat installations in the single DynamoDB table: `pk = INSTALLATION#<platform>`,
 * `sk = <id>`. A deployment is installed in tens of teams at most, so `all`
 * is one Query of the partition.
 */
import {
  DeleteCommand,
  type DynamoDBDocumentClient,
  GetCommand,
  PutCommand,
  QueryCommand,
} from '@aws-sdk/lib-dynamodb';
import type { ChatPlatform } from '../../core/instance.js';
import type { ChatInstallation, ChatInstallationStore } from '../../ports/chatInstallationStore.js';
import { awsCall } from '../errors.js';

const pk = (platform: ChatPlatform) => `INSTALLATION#${platform}`;

export class DynamoChatInstallationStore implements ChatInstallationStore {
  constructor(
    private readonly doc: DynamoDBDocumentClient,
    private readonly tableName: string,
  ) {}

  async save(installation: ChatInstallation): Promise<void> {
    await awsCall(`PutItem installation ${installation.id}`, () =>
      this.doc.send(
        new PutCommand({
          TableName: this.tableName,
          // JSON round trip drops undefined fields, which the document client rejects.
          Item: {
            pk: pk(installation.platform),
            sk: installation.id,
            installation: JSON.parse(JSON.stringify(installation)),
          },
        }),
      ),
    );
  }

  async remove(platform: ChatPlatform, id: string): Promise<boolean> {
    const res = await awsCall(`DeleteItem installation ${id}`, () =>
      this.doc.send(
        new DeleteCommand({
          TableName: this.tableName,
          Key: { pk: pk(platform), sk: id },
          ReturnValues: 'ALL_OLD',
        }),
      ),
    );
    return res.Attributes !== undefined;
  }

  async get(platform: ChatPlatform, id: string): Promise<ChatInstallation | undefined> {
    const res = await awsCall(`GetItem installation ${id}`, () =>
      this.doc.send(new GetCommand({ TableName: this.tableName, Key: { pk: pk(platform), sk: id } })),
    );
    return res.Item?.installation as ChatInstallation | undefined;
  }

  async all(platform: ChatPlatform): Promise<ChatInstallation[]> {
    const out: ChatInstallation[] = [];
    let startKey: Record<string, unknown> | undefined;
    do {
      const page = await awsCall('Query installations', () =>
        this.doc.send(
          new QueryCommand({
            TableName: this.tableName,
            KeyConditionExpression: 'pk = :pk',
            ExpressionAttributeValues: { ':pk': pk(platform) },
            ExclusiveStartKey: startKey,
          }),
        ),
      );
      out.push(...(page.Items ?? []).map((i) => i.installation as ChatInstallation));
      startKey = page.LastEvaluatedKey;
    } while (startKey);
    return out;
  }
}
