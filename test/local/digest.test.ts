/**
 * The weekly digest in the single process, driven by a virtual clock: Slack
 * over HTTP (signed slash commands into Bolt) with the fake Web API, which
 * receives the Block Kit summary and the chart through the external upload
 * flow (files.getUploadURLExternal, the bytes, files.completeUploadExternal).
 */
import { describe, expect, it } from 'vitest';
import type { RunHistoryEntry } from '../../src/core/runHistory.js';
import { startSingleProcess } from '../../src/local/singleProcess.js';
import { createLogger } from '../../src/log.js';
import { WeeklyDigestService } from '../../src/services/digest/weeklyDigest.js';
import { openDatabase } from '../../src/sqlite/database.js';
import { SqliteDigestSettingsStore } from '../../src/sqlite/digestSettingsStore.js';
import { SqliteInstanceStore } from '../../src/sqlite/instanceStore.js';
import { SqliteRunHistory } from '../../src/sqlite/runHistory.js';
import { SqliteSubscriptionStore } from '../../src/sqlite/subscriptionStore.js';
import { freePort } from '../support/cliProcess.js';
import { useFakeSlackApi } from '../support/fakeSlackApi.js';
import { FakeFleet, VirtualClock } from '../support/fakes.js';
import {
  localConfig,
  postSlackEvent as post,
  slackHttpEnv,
  useLocalProcess,
} from '../support/localProcess.js';
import { slashCommandBody } from '../support/slackRequests.js';

const PNG_SIGNATURE = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
const H = 3600;

const run = (instanceId: string, over: Partial<RunHistoryEntry> = {}): RunHistoryEntry => ({
  region: 'us-east-1',
  instanceId,
  launchTime: '2026-11-18T08:00:00.000Z',
  stoppedAt: '2026-11-18T22:00:00.000Z',
  endedBy: 'actor',
  actor: { platform: 'slack', id: 'U0ALICE', name: 'alice' },
  group: 'web',
  name: 'web-<1>',
  owner: 'ana@example.com',
  thresholdSeconds: 8 * H,
  runtimeSeconds: 14 * H,
  secondsBeyondThreshold: 6 * H,
  hourlyUsd: 4.1,
  ...over,
});

describe('the weekly digest in the single process', () => {
  const local = useLocalProcess('lightsout-digest-');
  const slack = useFakeSlackApi();

  /** A process at `at` whose #web channel follows group web, with last week's runs in the history. */
  async function started(at: string) {
    const clock = new VirtualClock(new Date(at));
    const port = await freePort();
    const config = localConfig(local.dir, slackHttpEnv(slack, port));
    local.app = await startSingleProcess({
      config,
      log: createLogger('test', 'ERROR'),
      clock: clock.now,
      fleet: new FakeFleet(),
    });
    expect((await post(port, slashCommandBody('subscribe web'))).status).toBe(200);
    await local.app.history.record(run('i-0aaaaaaaaaaaaaaa1'));
    await local.app.history.record(run('i-0bbbbbbbbbbbbbbb2', { group: 'db', name: 'db-1' }));
    return { clock, port, config, app: local.app };
  }

  const digestSummaries = () =>
    slack.callsTo('chat.postMessage').filter((c) => JSON.stringify(c.args.blocks).includes('weekly digest'));

  const command = async (port: number, text: string) => {
    const res = await post(port, slashCommandBody(text, { responseUrl: slack.responseUrl() }));
    expect(res.status).toBe(200);
    const body = await res.text();
    return body ? (JSON.parse(body) as { response_type?: string; text?: string; blocks?: unknown }) : {};
  };

  it('posts the summary and uploads the chart as a PNG on Monday 09:00, once however often the timer fires', async () => {
    // Arrange: Monday 23 November, 08:59 UTC.
    const { clock, app } = await started('2026-11-23T08:59:00.000Z');

    // Act
    const early = await app.digest.service.runDue();
    clock.set('2026-11-23T09:00:00.000Z');
    const [first, second] = await Promise.all([app.digest.service.runDue(), app.digest.service.runDue()]);
    clock.advance(H);
    const later = await app.digest.service.runDue();

    // Assert: one digest for #web, about group web only, with the chart.
    expect(early).toMatchObject([{ channel: 'slack:C0WEB', sent: false }]);
    expect([...first!, ...second!].filter((o) => o.sent)).toHaveLength(1);
    expect(later).toMatchObject([{ sent: false, reason: 'the digest of the week of 2026-11-23 was sent' }]);
    const summaries = slack
      .callsTo('chat.postMessage')
      .filter((c) => JSON.stringify(c.args.blocks).includes('weekly digest'));
    expect(summaries).toHaveLength(1);
    const blocks = JSON.stringify(summaries[0]!.args.blocks);
    expect(summaries[0]!.args.channel).toBe('C0WEB');
    expect(blocks).toContain('2026-11-16 to 2026-11-23 (UTC), groups web');
    expect(blocks).toContain('web-&lt;1&gt; (i-0aaaaaaaaaaaaaaa1)');
    expect(blocks).toContain('$24.60');
    expect(blocks).not.toContain('db-1');

    expect(slack.callsTo('files.getUploadURLExternal')).toHaveLength(1);
    expect(slack.callsTo('files.getUploadURLExternal')[0]!.args).toMatchObject({
      filename: 'lightsout-digest.png',
    });
    const [upload] = [...slack.uploads.values()];
    expect(upload!.bytes!.subarray(0, 8).equals(PNG_SIGNATURE)).toBe(true);
    expect(Number(slack.callsTo('files.getUploadURLExternal')[0]!.args.length)).toBe(upload!.bytes!.length);
    expect(upload!.completed).toMatchObject({
      channel_id: 'C0WEB',
      initial_comment: 'Daily cost beyond threshold, 2026-11-16 to 2026-11-23 (UTC)',
    });
  });

  it('posts a week whose sender died between claiming it and posting exactly once, after a restart', async () => {
    // Arrange: the process stops; a second one on the same file claims Monday's week at 09:00
    // and dies while posting: nothing after the claim ever runs (no release, no "sent").
    const { clock, config } = await started('2026-11-23T08:00:00.000Z');
    await local.app!.stop();
    local.app = undefined;
    clock.set('2026-11-23T09:00:00.000Z');
    const db = openDatabase(config.store.sqlitePath);
    const settings = new SqliteDigestSettingsStore(db);
    const dying = new WeeklyDigestService({
      history: new SqliteRunHistory(db),
      store: new SqliteInstanceStore(db, { clock: clock.now }),
      subscriptions: new SqliteSubscriptionStore(db),
      settings,
      posters: [{ platform: 'slack', post: () => new Promise<void>(() => undefined) }],
      defaults: { cadence: 'weekly', timeZone: 'UTC' },
      clock: clock.now,
    });
    void dying.runDue();
    await waitFor(() => db.prepare('SELECT claimed_week FROM digest_settings').get() !== undefined);
    const left = await settings.get({ platform: 'slack', channelId: 'C0WEB' });
    db.close();

    // Act: start again on the same file, and let the timer tick while the dead claim holds and after.
    local.app = await startSingleProcess({
      config,
      log: createLogger('test', 'ERROR'),
      clock: clock.now,
      fleet: new FakeFleet(),
    });
    clock.set('2026-11-23T09:05:00.000Z');
    const whileHeld = await local.app.digest.service.runDue();
    clock.set('2026-11-23T09:20:00.000Z');
    const afterLease = await local.app.digest.service.runDue();
    clock.set('2026-11-23T10:20:00.000Z');
    const later = await local.app.digest.service.runDue();

    // Assert
    expect(left).toMatchObject({ claim: { week: '2026-11-23' } });
    expect(left?.lastSentWeek).toBeUndefined();
    expect(whileHeld).toMatchObject([
      { sent: false, reason: 'the week of 2026-11-23 was claimed by another tick' },
    ]);
    expect(afterLease).toMatchObject([{ channel: 'slack:C0WEB', sent: true }]);
    expect(later).toMatchObject([{ sent: false, reason: 'the digest of the week of 2026-11-23 was sent' }]);
    expect(digestSummaries()).toHaveLength(1);
    expect(slack.callsTo('files.completeUploadExternal')).toHaveLength(1);
  });

  it('follows the channel time zone set with /ec2 digest weekly --tz, and says so', async () => {
    // Arrange: 08:30 UTC is 09:30 in Berlin.
    const { clock, port, app } = await started('2026-11-23T07:30:00.000Z');

    // Act
    const reply = await command(port, 'digest weekly --tz Europe/Berlin');
    const before = await app.digest.service.runDue();
    clock.set('2026-11-23T08:30:00.000Z');
    const after = await app.digest.service.runDue();

    // Assert
    expect(reply).toMatchObject({ response_type: 'in_channel' });
    expect(JSON.stringify(reply)).toContain('Mondays at 09:00 Europe/Berlin, for groups web');
    expect(before).toMatchObject([{ sent: false }]);
    expect(after).toMatchObject([{ sent: true }]);
    expect(JSON.stringify(slack.callsTo('chat.postMessage').at(-1)!.args.blocks)).toContain(
      '(Europe/Berlin)',
    );
  });

  it('sends nothing after /ec2 digest off, and posts one at once with /ec2 digest now', async () => {
    // Arrange
    const { clock, port, app } = await started('2026-11-23T08:00:00.000Z');

    // Act
    await command(port, 'digest off');
    clock.set('2026-11-23T09:30:00.000Z');
    const due = await app.digest.service.runDue();
    const status = await command(port, 'digest');
    await command(port, 'digest now');
    await waitFor(() => slack.callsTo('files.completeUploadExternal').length === 1);

    // Assert
    expect(due).toMatchObject([{ sent: false, reason: 'the weekly digest is off for this channel' }]);
    expect(JSON.stringify(status)).toContain('This channel gets no weekly digest');
    expect(slack.uploads.size).toBe(1);
  });

  it('answers a bad digest command privately with what works', async () => {
    // Arrange
    const { port } = await started('2026-11-23T08:00:00.000Z');

    // Act
    const unknown = await command(port, 'digest daily');
    const zone = await command(port, 'digest weekly --tz Mars/Olympus');

    // Assert
    expect(unknown.response_type).toBe('ephemeral');
    expect(JSON.stringify(unknown)).toContain('unknown digest setting');
    expect(JSON.stringify(unknown)).toContain('digest weekly [--tz');
    expect(zone.response_type).toBe('ephemeral');
    expect(JSON.stringify(zone)).toContain('is not an IANA time zone; try Europe/Berlin');
  });
});

async function waitFor(done: () => boolean, ms = 10_000): Promise<void> {
  const until = Date.now() + ms;
  while (!done()) {
    if (Date.now() > until) throw new Error('condition not met in time');
    await new Promise((r) => setTimeout(r, 20));
  }
}
