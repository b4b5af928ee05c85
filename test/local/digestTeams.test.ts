/**
 * The weekly digest on Teams in the single process: the loopback Bot
 * Connector receives one Adaptive Card whose tables carry the same figures
 * as Slack's summary and chart (top instances, stops, daily cost), and the
 * card is valid Adaptive Card 1.5.
 */
import { describe, expect, it } from 'vitest';
import type { RunHistoryEntry } from '../../src/core/runHistory.js';
import { startSingleProcess } from '../../src/local/singleProcess.js';
import { createLogger } from '../../src/log.js';
import { mention } from '../chat/teams/activities.js';
import { OPS } from '../chat/teams/teamsWorld.js';
import { adaptiveCardProblems, cardsOf } from '../support/adaptiveCards.js';
import { freePort } from '../support/cliProcess.js';
import { useFakeBotConnector } from '../support/fakeBotConnector.js';
import { FakeFleet, VirtualClock } from '../support/fakes.js';
import { localConfig, useLocalProcess } from '../support/localProcess.js';

const H = 3600;

const run = (instanceId: string, over: Partial<RunHistoryEntry> = {}): RunHistoryEntry => ({
  region: 'us-east-1',
  instanceId,
  launchTime: '2026-11-18T08:00:00.000Z',
  stoppedAt: '2026-11-18T22:00:00.000Z',
  endedBy: 'outside',
  group: 'web',
  thresholdSeconds: 8 * H,
  runtimeSeconds: 14 * H,
  secondsBeyondThreshold: 6 * H,
  hourlyUsd: 4.1,
  ...over,
});

describe('the weekly digest on Teams', () => {
  const local = useLocalProcess('lightsout-digest-teams-');
  const connector = useFakeBotConnector();

  it('posts the digest as an Adaptive Card with the figures as tables', async () => {
    // Arrange
    const clock = new VirtualClock(new Date('2026-11-23T08:00:00.000Z'));
    const port = await freePort();
    const config = localConfig(local.dir, { TEAMS_ENABLED: 'true', PORT: String(port) });
    local.app = await startSingleProcess({
      config,
      log: createLogger('test', 'ERROR'),
      clock: clock.now,
      fleet: new FakeFleet(),
    });
    const sub = await fetch(`http://127.0.0.1:${port}/api/messages`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(mention(connector.serviceUrl, 'subscribe web')),
    });
    expect(sub.status).toBe(200);
    await local.app.history.record(run('i-0aaaaaaaaaaaaaaa1', { name: 'web-1', owner: 'ana@example.com' }));
    await local.app.history.record(
      run('i-0bbbbbbbbbbbbbbb2', {
        endedBy: 'actor',
        actor: { platform: 'teams', id: 'aad-1', name: 'Bo' },
        stoppedAt: '2026-11-19T20:00:00.000Z',
        launchTime: '2026-11-19T08:00:00.000Z',
        runtimeSeconds: 12 * H,
        secondsBeyondThreshold: 4 * H,
        hourlyUsd: null,
      }),
    );
    const before = connector.sent.length;

    // Act
    clock.set('2026-11-23T09:00:00.000Z');
    const outcomes = await local.app.digest.service.runDue();

    // Assert
    expect(outcomes).toMatchObject([{ sent: true }]);
    const posted = connector.sent.slice(before).filter((s) => s.conversationId === OPS);
    expect(posted).toHaveLength(1);
    const card = cardsOf(posted[0]!.activity)[0];
    expect(adaptiveCardProblems(card)).toEqual([]);
    const cells = tableCells(card);
    expect(cells).toContainEqual(['web-1 (i-0aaaaaaaaaaaaaaa1)', 'ana@example.com', '6.0 h', '$24.60']);
    expect(cells).toContainEqual(['i-0bbbbbbbbbbbbbbb2', '-', '4.0 h', 'unknown price']);
    expect(cells).toContainEqual(['i-0bbbbbbbbbbbbbbb2', 'teams:Bo', '24.0 h', 'unknown price']);
    expect(cells).toContainEqual(['2026-11-18', '6.0 h', '$24.60']);
    expect(cells.filter((r) => /^2026-11-\d\d$/.test(r[0]!))).toHaveLength(7);
  });

  it('takes digest settings from a mention, and answers a bad one with what works', async () => {
    // Arrange
    const clock = new VirtualClock(new Date('2026-11-20T08:00:00.000Z'));
    const port = await freePort();
    local.app = await startSingleProcess({
      config: localConfig(local.dir, { TEAMS_ENABLED: 'true', PORT: String(port) }),
      log: createLogger('test', 'ERROR'),
      clock: clock.now,
      fleet: new FakeFleet(),
    });
    const say = async (text: string) => {
      const before = connector.sent.length;
      const res = await fetch(`http://127.0.0.1:${port}/api/messages`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify(mention(connector.serviceUrl, text)),
      });
      expect(res.status).toBe(200);
      return JSON.stringify(connector.sent.slice(before).map((s) => s.activity));
    };
    await say('subscribe web');

    // Act
    const weekly = await say('digest weekly --tz Europe/Berlin');
    const bad = await say('digest weekly --tz Mars/Olympus');

    // Assert
    expect(weekly).toContain('Mondays at 09:00 Europe/Berlin, for groups web');
    expect(bad).toContain('is not an IANA time zone; try Europe/Berlin');
    expect(bad).toContain('@Lights Out digest weekly');
  });
});

/** Every table row of the card as the texts of its cells. */
function tableCells(card: unknown): string[][] {
  const rows: string[][] = [];
  const walk = (node: unknown): void => {
    if (Array.isArray(node)) {
      for (const child of node) walk(child);
      return;
    }
    if (typeof node !== 'object' || node === null) return;
    const n = node as Record<string, unknown>;
    if (n.type === 'TableRow') {
      rows.push(
        (n.cells as { items: { text: string }[] }[]).map((c) =>
          c.items.map((i) => i.text.replace(/\\(.)/g, '$1')).join(' '),
        ),
      );
      return;
    }
    for (const value of Object.values(n)) walk(value);
  };
  walk(card);
  return rows;
}
