import { describe, expect, it } from 'vitest';
import { ACTION, nagBlocks, nagText } from '../../../src/chat/slack/blockKit.js';
import type { InstanceRecord } from '../../../src/core/instance.js';
import {
  nagMessageFromNotification,
  nagMessageFromRecord,
  outsideStopOutcome,
} from '../../../src/core/message/nagMessage.js';
import { buildNagNotification } from '../../../src/core/notification.js';

const record: InstanceRecord = {
  region: 'eu-west-1',
  instanceId: 'i-0123456789abcdef0',
  launchTime: '2026-03-02T08:00:00.000Z',
  state: 'running',
  stateChangedAt: '2026-03-02T08:00:00.000Z',
  name: 'web <1> & co',
  instanceType: 't3.large',
  availabilityZone: 'eu-west-1b',
  accountId: '123456789012',
  tags: {},
  group: 'webteamproduction',
  thresholdSeconds: 12 * 3600,
  renotifySeconds: 3600,
  extensionSeconds: 0,
  nagCount: 3,
  warnings: ['Threshold "abc" is not a duration; using 12h'],
  chatRefs: [],
  version: 4,
};
const now = new Date('2026-03-02T21:02:00Z');

type Block = {
  type: string;
  block_id?: string;
  elements?: {
    type: string;
    action_id?: string;
    style?: string;
    confirm?: unknown;
    options?: { value: string }[];
  }[];
};

describe('nag message Block Kit', () => {
  it('shows the idle evidence line from the notification as a context line', () => {
    const idle = {
      windowSeconds: 7200,
      periodSeconds: 300,
      cpuAvgPercent: 0.4,
      networkBytes: 12_000,
      gpuReported: true,
      gpuAvgPercent: 63,
    };
    const blocks = nagBlocks(nagMessageFromNotification(buildNagNotification(record, now, { idle })));
    const without = nagBlocks(nagMessageFromNotification(buildNagNotification(record, now)));

    expect(JSON.stringify(blocks)).toContain(
      '{"type":"context","elements":[{"type":"mrkdwn","text":":bar_chart: CPU 0.4% avg over the last 2h · network 12 KB · GPU 63% avg"}]}',
    );
    expect(JSON.stringify(without)).not.toContain(':bar_chart:');
  });

  it('shows the facts, warnings and a confirm-guarded danger Stop with both menus', () => {
    const blocks = nagBlocks(nagMessageFromNotification(buildNagNotification(record, now))) as Block[];
    const json = JSON.stringify(blocks);
    const actions = blocks.find((b) => b.type === 'actions')!;
    const stop = actions.elements!.find((e) => e.action_id === ACTION.stop)!;

    expect(json).toContain('has been running *13h 02m* (threshold 12h)');
    expect(json).toContain('<!date^1772438400^{date_short_pretty} {time}|Mon 2 Mar 08:00 UTC>');
    expect(json).toContain('web &lt;1&gt; &amp; co');
    expect(json).toContain('eu-west-1b · 123456789012');
    expect(json).toContain('*Type*\\nt3.large');
    expect(json).toContain('*Reminders*\\n3');
    expect(json).toContain(':warning: Threshold \\"abc\\" is not a duration; using 12h');
    expect(json).toContain(
      'https://eu-west-1.console.aws.amazon.com/ec2/home?region=eu-west-1#InstanceDetails:instanceId=i-0123456789abcdef0',
    );
    expect(stop.style).toBe('danger');
    expect(stop.confirm).toBeDefined();
    expect(
      actions.elements!.find((e) => e.action_id === ACTION.snooze)!.options!.map((o) => o.value),
    ).toEqual(['1h', '4h', 'tomorrow-09:00', 'custom']);
    expect(
      actions.elements!.find((e) => e.action_id === ACTION.extend)!.options!.map((o) => o.value),
    ).toEqual(['2h', '4h', '8h', '24h']);
    // Slack limits: block_id ≤ 255 characters.
    expect(actions.block_id!.length).toBeLessThanOrEqual(255);
  });

  it('writes the outcome in and drops Stop, Snooze and Extend once the run is over', () => {
    const m = nagMessageFromRecord(record, now, {
      kind: 'stopped',
      by: { platform: 'slack', id: 'U0ALICE' },
      runtimeSeconds: 13 * 3600 + 120,
    });

    const blocks = nagBlocks(m) as Block[];
    const ids = blocks.find((b) => b.type === 'actions')!.elements!.map((e) => e.action_id);

    expect(JSON.stringify(blocks)).toContain('Stopped by <@U0ALICE> after 13h 02m');
    expect(ids).toEqual([ACTION.console]);
    // The fallback text is mrkdwn too: the name is escaped there as well.
    expect(nagText(m)).toBe(
      'web &lt;1&gt; &amp; co (i-0123456789abcdef0): Stopped by @U0ALICE after 13h 02m',
    );
  });

  it('keeps the buttons after a snooze and names a Teams actor by name', () => {
    const m = nagMessageFromRecord(record, now, {
      kind: 'snoozed',
      by: { platform: 'teams', id: 'aad-1', name: 'Bob' },
      until: '2026-03-02T23:00:00.000Z',
    });

    const blocks = nagBlocks(m) as Block[];

    expect(JSON.stringify(blocks)).toContain(
      // With its day: 23:00 in UTC is already tomorrow for a reader east of it.
      'Snoozed by Bob until <!date^1772492400^{date_short_pretty} {time}|Mon 2 Mar 23:00 UTC>',
    );
    expect(blocks.find((b) => b.type === 'actions')!.elements!.map((e) => e.action_id)).toContain(
      ACTION.stop,
    );
  });

  it('says of a stop nobody saw that the run is over and what its time counts to, not where it stopped', () => {
    // Arrange: the run was closed when its next launch was seen, at its last nag 10 h in.
    const lastStop = { at: '2026-03-02T18:00:00.000Z', runtimeSeconds: 10 * 3600, unobserved: true as const };
    const closed: InstanceRecord = { ...record, state: 'stopped', stateChangedAt: lastStop.at, lastStop };

    // Act
    const m = nagMessageFromRecord(closed, now, outsideStopOutcome(closed.lastStop, lastStop.runtimeSeconds));
    const blocks = JSON.stringify(nagBlocks(m));

    // Assert
    const said =
      "This run is over: it stopped while Lights Out wasn't watching; counted to when last seen running, 10h";
    expect(blocks).toContain(said);
    expect(blocks).not.toContain('Stopped outside');
    expect(nagText(m)).toBe(`web &lt;1&gt; &amp; co (i-0123456789abcdef0): ${said}`);
    expect(outsideStopOutcome({ ...lastStop, unobserved: undefined }, 3600)).toEqual({
      kind: 'stopped-outside',
      runtimeSeconds: 3600,
    });
  });
});
