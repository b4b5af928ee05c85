/**
 * The digest function on moto (DynamoDB, Secrets Manager) with the fake Slack
 * Web API, on the Lambda runtime's Node: the hourly rule's invocation sends
 * each due channel its digest once, however often it fires; `/ec2 digest now`
 * invokes it with the channel. The chart reaches Slack as a PNG.
 */
import { CreateSecretCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { beforeEach, describe, expect, it } from 'vitest';
import { dynamoDocumentClient } from '../../src/aws/clients.js';
import { DynamoDigestSettingsStore } from '../../src/aws/dynamodb/digestSettingsStore.js';
import { DynamoRunHistory } from '../../src/aws/dynamodb/runHistory.js';
import { DynamoSubscriptionStore } from '../../src/aws/dynamodb/subscriptionStore.js';
import { loadConfig } from '../../src/config/index.js';
import { slackDigestPoster } from '../../src/lambda/digest.js';
import {
  buildLambdaDigest,
  type DigestPosterFactory,
  digestHandler,
} from '../../src/lambda/digestRuntime.js';
import { createTable } from '../support/dynamoTable.js';
import { useFakeSlackApi } from '../support/fakeSlackApi.js';
import { VirtualClock } from '../support/fakes.js';
import { lambdaBaseEnv } from '../support/lambdaEngine.js';
import { useMoto } from '../support/moto.js';

const TABLE = 'lightsout';
const H = 3600;
const PNG_SIGNATURE = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);

describe('the digest function', () => {
  const moto = useMoto();
  const slack = useFakeSlackApi();

  beforeEach(() => moto.reset());

  async function world(at: string) {
    await createTable(moto, TABLE);
    const secrets = new SecretsManagerClient(moto.clientConfig);
    const secret = await secrets.send(
      new CreateSecretCommand({
        Name: `slack-${Date.now()}`,
        SecretString: JSON.stringify({ signingSecret: 'not-a-real-secret', botToken: 'xoxb-test-token' }),
      }),
    );
    const config = loadConfig({
      ...lambdaBaseEnv(TABLE),
      SLACK_SECRET_ARN: secret.ARN!,
      SLACK_API_URL: slack.apiUrl,
    });
    const clock = new VirtualClock(new Date(at));
    const doc = dynamoDocumentClient('us-east-1');
    await new DynamoSubscriptionStore(doc, TABLE).subscribe({
      group: 'web',
      channel: { platform: 'slack', channelId: 'C0WEB' },
      createdBy: 'slack:U0ALICE',
      createdAt: '2026-11-01T00:00:00.000Z',
    });
    await new DynamoRunHistory(doc, TABLE).record({
      region: 'us-east-1',
      instanceId: 'i-0aaaaaaaaaaaaaaa1',
      launchTime: '2026-11-18T08:00:00.000Z',
      stoppedAt: '2026-11-18T22:00:00.000Z',
      endedBy: 'actor',
      actor: { platform: 'slack', id: 'U0ALICE', name: 'alice' },
      group: 'web',
      thresholdSeconds: 8 * H,
      runtimeSeconds: 14 * H,
      secondsBeyondThreshold: 6 * H,
      hourlyUsd: 4.1,
    });
    const deps = buildLambdaDigest(config, slackDigestPoster(), { clock: clock.now, secrets });
    /** Another cold start of the function, with this poster in place of Slack's. */
    const coldStart = (poster: DigestPosterFactory) =>
      digestHandler(() => buildLambdaDigest(config, poster, { clock: clock.now, secrets }));
    return { clock, handler: digestHandler(() => deps), coldStart };
  }

  it('sends a due digest once however often the hourly rule fires, with the chart as a PNG', async () => {
    // Arrange
    const { clock, handler } = await world('2026-11-23T08:00:00.000Z');

    // Act
    const early = await handler({});
    clock.set('2026-11-23T09:00:00.000Z');
    const first = await handler({});
    const again = await handler({});

    // Assert
    expect(early).toMatchObject([{ channel: 'slack:C0WEB', sent: false }]);
    expect(first).toMatchObject([{ channel: 'slack:C0WEB', sent: true }]);
    expect(again).toMatchObject([{ sent: false, reason: 'the digest of the week of 2026-11-23 was sent' }]);
    expect(slack.callsTo('chat.postMessage')).toHaveLength(1);
    expect(JSON.stringify(slack.callsTo('chat.postMessage')[0]!.args.blocks)).toContain('$24.60');
    const [upload] = [...slack.uploads.values()];
    expect(upload!.bytes!.subarray(0, 8).equals(PNG_SIGNATURE)).toBe(true);
    expect(upload!.completed).toMatchObject({ channel_id: 'C0WEB' });
  });

  it('posts a week whose invocation died between claiming it and posting exactly once, on a later tick', async () => {
    // Arrange: at 09:00 an invocation claims the week and dies while posting (its poster never answers).
    const { clock, coldStart } = await world('2026-11-23T09:00:00.000Z');
    const settings = new DynamoDigestSettingsStore(dynamoDocumentClient('us-east-1'), TABLE);
    const dying = coldStart({
      platform: 'slack',
      build: async () => ({ platform: 'slack', post: () => new Promise<void>(() => undefined) }),
    });
    void dying({});
    await waitFor(
      async () => (await settings.get({ platform: 'slack', channelId: 'C0WEB' }))?.claim !== undefined,
    );
    const left = await settings.get({ platform: 'slack', channelId: 'C0WEB' });

    // Act: a new container; the rule's retry a few minutes on, then the next hourly tick, twice.
    const handler = coldStart(slackDigestPoster());
    clock.set('2026-11-23T09:05:00.000Z');
    const retry = await handler({});
    clock.set('2026-11-23T10:00:00.000Z');
    const nextTick = await handler({});
    const again = await handler({});

    // Assert
    expect(left).toMatchObject({ claim: { week: '2026-11-23' } });
    expect(left?.lastSentWeek).toBeUndefined();
    expect(retry).toMatchObject([
      { sent: false, reason: 'the week of 2026-11-23 was claimed by another tick' },
    ]);
    expect(nextTick).toMatchObject([{ channel: 'slack:C0WEB', sent: true }]);
    expect(again).toMatchObject([{ sent: false, reason: 'the digest of the week of 2026-11-23 was sent' }]);
    expect(slack.callsTo('chat.postMessage')).toHaveLength(1);
    expect(slack.callsTo('files.completeUploadExternal')).toHaveLength(1);
  });

  it('posts the digest of the last 7 days when asked for now, and says when a channel follows no group', async () => {
    // Arrange
    const { handler } = await world('2026-11-20T12:00:00.000Z');

    // Act
    const now = await handler({ sendNow: { platform: 'slack', channelId: 'C0WEB' } });
    const none = await handler({ sendNow: { platform: 'slack', channelId: 'C0NONE' } });

    // Assert
    expect(now).toEqual([{ channel: 'slack:C0WEB', sent: true, reason: 'asked for now' }]);
    expect(none).toEqual([{ channel: 'slack:C0NONE', sent: false, reason: 'this channel follows no group' }]);
    expect(slack.callsTo('files.completeUploadExternal')).toHaveLength(1);
  });

  it('leaves Teams channels to the Teams digest function, on the hourly rule and when asked', async () => {
    // Arrange: a Teams channel follows web too.
    const { clock, handler } = await world('2026-11-23T09:00:00.000Z');
    await new DynamoSubscriptionStore(dynamoDocumentClient('us-east-1'), TABLE).subscribe({
      group: 'web',
      channel: { platform: 'teams', channelId: '19:ops@thread.tacv2' },
      createdBy: 'teams:aad-alice',
      createdAt: '2026-11-01T00:00:00.000Z',
    });

    // Act
    const due = await handler({});
    clock.advance(60);
    const asked = await handler({ sendNow: { platform: 'teams', channelId: '19:ops@thread.tacv2' } });
    const teamsSettings = await new DynamoDigestSettingsStore(dynamoDocumentClient('us-east-1'), TABLE).get({
      platform: 'teams',
      channelId: '19:ops@thread.tacv2',
    });

    // Assert: only the Slack channel's digest went out here, and the Teams week is left unclaimed.
    expect(due).toEqual([{ channel: 'slack:C0WEB', sent: true, reason: expect.any(String) }]);
    expect(asked).toEqual([
      { channel: 'teams:19:ops@thread.tacv2', sent: false, reason: 'this function posts slack digests only' },
    ]);
    expect(teamsSettings).toBeUndefined();
    expect(slack.callsTo('chat.postMessage')).toHaveLength(1);
  });
});

async function waitFor(done: () => Promise<boolean>, ms = 10_000): Promise<void> {
  const until = Date.now() + ms;
  while (!(await done())) {
    if (Date.now() > until) throw new Error('condition not met in time');
    await new Promise((r) => setTimeout(r, 20));
  }
}
