/**
 * Each channel's weekly digest settings in the single DynamoDB table.
 *
 * Layout: one partition, `pk = DIGEST`, `sk = <platform>#<channelId>`; one
 * item per channel. Claiming a week is a conditional update on
 * `lastSentWeek` and the claim's lease (`claimedWeek`, `claimUntil`), so two
 * ticks that fire at once send one digest, and a sender that died holding a
 * claim holds it only until the lease ends. Ending a claim (sent, or given
 * back) is conditional on the claim's exact `claimUntil`, which no later
 * claim shares, so only the sender holding it can end it.
 */
import { type DynamoDBDocumentClient, GetCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import type { DigestCadence } from '../../core/digestSchedule.js';
import { ConflictError } from '../../core/errors.js';
import type {
  ChannelDigestSettings,
  ChannelKey,
  DigestSettingsStore,
  WeekClaim,
} from '../../ports/digestSettings.js';
import { awsCall } from '../errors.js';

const PK = 'DIGEST';
const key = (c: ChannelKey) => ({ pk: PK, sk: `${c.platform}#${c.channelId}` });

export class DynamoDigestSettingsStore implements DigestSettingsStore {
  constructor(
    private readonly doc: DynamoDBDocumentClient,
    private readonly tableName: string,
  ) {}

  async get(channel: ChannelKey): Promise<ChannelDigestSettings | undefined> {
    const res = await awsCall('GetItem digest settings', () =>
      this.doc.send(new GetCommand({ TableName: this.tableName, Key: key(channel), ConsistentRead: true })),
    );
    return res.Item ? toSettings(res.Item, channel) : undefined;
  }

  async set(s: Parameters<DigestSettingsStore['set']>[0]): Promise<ChannelDigestSettings> {
    const res = await awsCall('UpdateItem digest settings', () =>
      this.doc.send(
        new UpdateCommand({
          TableName: this.tableName,
          Key: key(s.channel),
          UpdateExpression: `SET #channel = :channel, #cadence = :cadence, #by = :by, #at = :at${s.timeZone ? ', #tz = :tz' : ''}`,
          // Several of these names are DynamoDB reserved words.
          ExpressionAttributeNames: {
            '#channel': 'channel',
            '#cadence': 'cadence',
            '#by': 'updatedBy',
            '#at': 'updatedAt',
            ...(s.timeZone ? { '#tz': 'timeZone' } : {}),
          },
          ExpressionAttributeValues: {
            ':channel': { platform: s.channel.platform, channelId: s.channel.channelId },
            ':cadence': s.cadence,
            ':by': s.updatedBy,
            ':at': s.updatedAt,
            ...(s.timeZone ? { ':tz': s.timeZone } : {}),
          },
          ReturnValues: 'ALL_NEW',
        }),
      ),
    );
    return toSettings(res.Attributes ?? {}, s.channel);
  }

  async claimWeek(
    channel: ChannelKey,
    week: string,
    lease: { now: string; until: string },
  ): Promise<boolean> {
    try {
      await awsCall('UpdateItem digest claim', () =>
        this.doc.send(
          new UpdateCommand({
            TableName: this.tableName,
            Key: key(channel),
            UpdateExpression:
              'SET claimedWeek = :week, claimUntil = :until, #channel = if_not_exists(#channel, :channel)',
            // ISO-8601 UTC strings of one format compare as times.
            ConditionExpression:
              '(attribute_not_exists(lastSentWeek) OR lastSentWeek <> :week) AND ' +
              '(attribute_not_exists(claimedWeek) OR claimedWeek <> :week OR claimUntil <= :now)',
            ExpressionAttributeNames: { '#channel': 'channel' },
            ExpressionAttributeValues: {
              ':week': week,
              ':until': lease.until,
              ':now': lease.now,
              ':channel': { platform: channel.platform, channelId: channel.channelId },
            },
          }),
        ),
      );
      return true;
    } catch (err) {
      if (err instanceof ConflictError) return false;
      throw err;
    }
  }

  async markSent(channel: ChannelKey, claim: WeekClaim): Promise<boolean> {
    const channelValue = { platform: channel.platform, channelId: channel.channelId };
    try {
      await awsCall('UpdateItem digest sent', () =>
        this.doc.send(
          new UpdateCommand({
            TableName: this.tableName,
            Key: key(channel),
            UpdateExpression:
              'SET lastSentWeek = :week, #channel = if_not_exists(#channel, :channel) REMOVE claimedWeek, claimUntil',
            ConditionExpression: 'claimedWeek = :week AND claimUntil = :until',
            ExpressionAttributeNames: { '#channel': 'channel' },
            ExpressionAttributeValues: {
              ':week': claim.week,
              ':until': claim.until,
              ':channel': channelValue,
            },
          }),
        ),
      );
      return true;
    } catch (err) {
      if (!(err instanceof ConflictError)) throw err;
    }
    // Another sender's claim replaced ours: the week was posted all the same, so record it, and leave
    // that claim to its sender. Weeks are ISO dates, which compare as times: a later sent week stays.
    await awsCall('UpdateItem digest sent', () =>
      this.doc.send(
        new UpdateCommand({
          TableName: this.tableName,
          Key: key(channel),
          UpdateExpression: 'SET lastSentWeek = :week, #channel = if_not_exists(#channel, :channel)',
          ConditionExpression: 'attribute_not_exists(lastSentWeek) OR lastSentWeek < :week',
          ExpressionAttributeNames: { '#channel': 'channel' },
          ExpressionAttributeValues: { ':week': claim.week, ':channel': channelValue },
        }),
      ),
    ).catch((err: unknown) => {
      if (!(err instanceof ConflictError)) throw err;
    });
    return false;
  }

  async releaseWeek(channel: ChannelKey, claim: WeekClaim): Promise<void> {
    await awsCall('UpdateItem digest release', () =>
      this.doc.send(
        new UpdateCommand({
          TableName: this.tableName,
          Key: key(channel),
          UpdateExpression: 'REMOVE claimedWeek, claimUntil',
          // Only our own claim: one that replaced it after our lease ran out belongs to a sender now posting.
          ConditionExpression: 'claimedWeek = :week AND claimUntil = :until',
          ExpressionAttributeValues: { ':week': claim.week, ':until': claim.until },
        }),
      ),
    ).catch((err: unknown) => {
      if (!(err instanceof ConflictError)) throw err;
    });
  }
}

/**
 * The item read back as settings. The channel comes from the key the item was
 * addressed by, not from its `channel` attribute: an item whose first write is
 * still being applied (moto shows it between creating the item and setting
 * its attributes) may not carry that attribute yet.
 */
function toSettings(i: Record<string, unknown>, channel: ChannelKey): ChannelDigestSettings {
  return {
    channel: { platform: channel.platform, channelId: channel.channelId },
    ...(i.cadence ? { cadence: i.cadence as DigestCadence } : {}),
    ...(i.timeZone ? { timeZone: String(i.timeZone) } : {}),
    ...(i.updatedBy ? { updatedBy: String(i.updatedBy) } : {}),
    ...(i.updatedAt ? { updatedAt: String(i.updatedAt) } : {}),
    ...(i.lastSentWeek ? { lastSentWeek: String(i.lastSentWeek) } : {}),
    ...(i.claimedWeek && i.claimUntil
      ? { claim: { week: String(i.claimedWeek), until: String(i.claimUntil) } }
      : {}),
  };
}
