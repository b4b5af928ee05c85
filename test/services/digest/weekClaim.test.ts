/**
 * The weekly digest's claim on its week, on moto's DynamoDB behind the fault
 * proxy, posting to the loopback Slack Web API: a week posted while the store
 * cannot mark it sent is said to be "sent, not marked" (and marked on a later
 * try when the store comes back); a post that outlives its deadline keeps the
 * claim until it runs out; a chart that fails after the summary went out
 * leaves the week sent; and each channel's lease starts when that channel is
 * claimed, not when the tick began.
 */
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { beforeEach, describe, expect, it } from 'vitest';
import { DynamoDigestSettingsStore } from '../../../src/aws/dynamodb/digestSettingsStore.js';
import { DynamoInstanceStore } from '../../../src/aws/dynamodb/instanceStore.js';
import { DynamoRunHistory } from '../../../src/aws/dynamodb/runHistory.js';
import { DynamoSubscriptionStore } from '../../../src/aws/dynamodb/subscriptionStore.js';
import { SlackDigestPoster } from '../../../src/chat/slack/slackDigest.js';
import { createSlackDigestClient } from '../../../src/chat/slack/slackWebClient.js';
import type { DigestPoster } from '../../../src/ports/digestPoster.js';
import { type WeeklyDigestDeps, WeeklyDigestService } from '../../../src/services/digest/weeklyDigest.js';
import { chartAssets } from '../../../src/wiring/chartAssets.js';
import { createTable } from '../../support/dynamoTable.js';
import { useFakeSlackApi } from '../../support/fakeSlackApi.js';
import { VirtualClock } from '../../support/fakes.js';
import { type CallInfo, useFaultProxy } from '../../support/faultProxy.js';
import { useMoto } from '../../support/moto.js';

const WEB = { platform: 'slack' as const, channelId: 'C0WEB' };
const OPS = { platform: 'slack' as const, channelId: 'C0OPS' };
const MONDAY_NINE = '2026-11-23T09:00:00.000Z';

/** The store's "this week was sent" write (the claim's condition names lastSentWeek too, its update does not). */
const marksSent = (c: CallInfo) =>
  c.action === 'UpdateItem' &&
  String((c.json as { UpdateExpression?: string }).UpdateExpression).startsWith('SET lastSentWeek');

describe('the weekly digest claim on DynamoDB', () => {
  const moto = useMoto();
  const proxy = useFaultProxy(moto);
  const slack = useFakeSlackApi();

  beforeEach(async () => {
    await moto.reset();
    proxy.reset();
  });

  /** Channels following group web, a service over the proxied table, and a Slack poster. */
  async function world(channels = [WEB], over: Partial<WeeklyDigestDeps> = {}) {
    const { tableName } = await createTable(moto);
    // One try per call: the proxy's faults reach the service instead of the SDK's retries.
    const doc = DynamoDBDocumentClient.from(
      new DynamoDBClient({ ...proxy.get().clientConfig, maxAttempts: 1 }),
    );
    const clock = new VirtualClock(new Date(MONDAY_NINE));
    const subscriptions = new DynamoSubscriptionStore(doc, tableName);
    for (const channel of channels)
      await subscriptions.subscribe({
        group: 'web',
        channel,
        createdBy: 'slack:U0ALICE',
        createdAt: '2026-11-01T00:00:00.000Z',
      });
    const settings = new DynamoDigestSettingsStore(doc, tableName);
    const poster = new SlackDigestPoster(
      createSlackDigestClient({ apiUrl: slack.apiUrl, botToken: 'xoxb-test-token' }),
      chartAssets(),
    );
    const deps: WeeklyDigestDeps = {
      history: new DynamoRunHistory(doc, tableName),
      store: new DynamoInstanceStore(doc, tableName, { clock: clock.now }),
      subscriptions,
      settings,
      posters: [poster],
      defaults: { cadence: 'weekly', timeZone: 'UTC' },
      clock: clock.now,
      sleep: async () => undefined,
      ...over,
    };
    return { clock, settings, deps, service: new WeeklyDigestService(deps), poster };
  }

  const summaries = (channelId = 'C0WEB') =>
    slack
      .callsTo('chat.postMessage')
      .filter((c) => c.args.channel === channelId && JSON.stringify(c.args.blocks).includes('weekly digest'));

  it('says a posted week it could not mark is "sent, not marked", not failed', async () => {
    // Arrange: every write of "sent" is throttled.
    const { service, settings } = await world();
    proxy.get().addRule({ action: marksSent, fault: { kind: 'throttle' } });

    // Act
    const [outcome] = await service.runDue();

    // Assert: posted once, reported as sent, four tries at marking it, the claim left to run out.
    expect(summaries()).toHaveLength(1);
    expect(outcome).toMatchObject({ channel: 'slack:C0WEB', sent: true });
    expect(outcome!.reason).toMatch(
      /^sent, not marked: .*the week may be posted again after 2026-11-23T09:15:00.000Z$/,
    );
    expect(proxy.get().calls('UpdateItem').filter(marksSent)).toHaveLength(4);
    expect(await settings.get(WEB)).toMatchObject({ claim: { week: '2026-11-23' } });
    expect((await settings.get(WEB))?.lastSentWeek).toBeUndefined();
  });

  it('marks the week sent on a later try when the store throttles the first ones, so no later tick posts it again', async () => {
    // Arrange
    const { clock, service, settings } = await world();
    proxy.get().addRule({ action: marksSent, fault: { kind: 'throttle' }, times: 2 });

    // Act
    const [first] = await service.runDue();
    clock.advance(3600);
    const [later] = await service.runDue();

    // Assert
    expect(first).toMatchObject({ sent: true });
    expect(first!.reason).not.toMatch(/not marked/);
    expect(proxy.get().calls('UpdateItem').filter(marksSent)).toHaveLength(3);
    expect(await settings.get(WEB)).toMatchObject({ lastSentWeek: '2026-11-23' });
    expect(later).toMatchObject({ sent: false, reason: 'the digest of the week of 2026-11-23 was sent' });
    expect(summaries()).toHaveLength(1);
  });

  it('counts a week whose summary went out as sent when the chart fails, so the figures are not posted again', async () => {
    // Arrange
    const { clock, service, settings } = await world();
    slack.failNext('files.getUploadURLExternal', { error: 'internal_error' });

    // Act
    const [first] = await service.runDue();
    clock.advance(3600);
    const [later] = await service.runDue();

    // Assert
    expect(first).toMatchObject({ sent: true });
    expect(first!.reason).toContain('the summary was posted but not the chart');
    expect(await settings.get(WEB)).toMatchObject({ lastSentWeek: '2026-11-23' });
    expect(later).toMatchObject({ sent: false, reason: 'the digest of the week of 2026-11-23 was sent' });
    expect(summaries()).toHaveLength(1);
  });

  it('keeps the claim of a post that ran past its deadline, so no tick posts again while it may land', async () => {
    // Arrange: the deadline is the test's to end; Slack holds the summary's answer for a while.
    const deadline = new AbortController();
    const { service, settings } = await world([WEB], { deadline: () => deadline.signal });
    slack.failNext('chat.postMessage', { delayMs: 2_000 });

    // Act: the deadline passes while the summary is being posted; another tick comes at once.
    const running = service.runDue();
    await waitFor(() => slack.callsTo('chat.postMessage').length === 1);
    deadline.abort();
    const [late] = await running;
    const [again] = await service.runDue();

    // Assert
    expect(late).toMatchObject({ sent: false });
    expect(late!.reason).toContain('the post took longer than 5 minutes');
    expect(await settings.get(WEB)).toMatchObject({
      claim: { week: '2026-11-23', until: '2026-11-23T09:15:00.000Z' },
    });
    expect(again).toMatchObject({
      sent: false,
      reason: 'the week of 2026-11-23 was claimed by another tick',
    });
  });

  it('starts each channel lease when that channel is claimed, not when the tick began', async () => {
    // Arrange: each post takes 20 minutes of the virtual clock; the poster notes the claim it posts under.
    const { clock, settings, deps, poster } = await world([WEB, OPS]);
    const leases = new Map<string, string | undefined>();
    const slow: DigestPoster = {
      platform: 'slack',
      async post(channel, digest, opts) {
        leases.set(channel.channelId, (await settings.get(channel))?.claim?.until);
        clock.advance(20 * 60);
        await poster.post(channel, digest, opts);
      },
    };
    const slowService = new WeeklyDigestService({ ...deps, posters: [slow] });

    // Act
    const outcomes = await slowService.runDue();

    // Assert: the second channel's lease runs from 09:20, so it has not expired before its post began.
    expect(outcomes.filter((o) => o.sent)).toHaveLength(2);
    expect([...leases.values()].sort()).toEqual(['2026-11-23T09:15:00.000Z', '2026-11-23T09:35:00.000Z']);
  });
});

async function waitFor(done: () => boolean, ms = 10_000): Promise<void> {
  const until = Date.now() + ms;
  while (!done()) {
    if (Date.now() > until) throw new Error('condition not met in time');
    await new Promise((r) => setTimeout(r, 20));
  }
}
