/**
 * The cost line in every chat surface that shows a run: the nag (Slack Block
 * Kit, Teams card, and so /ec2 status, which renders the nag), list rows
 * (/ec2 list, the App Home, Teams list cards). Unknown prices say so.
 */
import { describe, expect, it } from 'vitest';
import type { ChatReply, InstanceRow } from '../../src/chat/core/replies.js';
import { nagBlocks } from '../../src/chat/slack/blockKit.js';
import { rowMrkdwn, renderReply as slackReply } from '../../src/chat/slack/replyBlocks.js';
import { renderNagCard } from '../../src/chat/teams/nagCard.js';
import { renderReply as teamsReply } from '../../src/chat/teams/replyCards.js';
import type { InstanceRecord } from '../../src/core/instance.js';
import {
  nagMessageFromNotification,
  nagMessageFromRecord,
  repeatNagText,
} from '../../src/core/message/nagMessage.js';
import { buildNagNotification } from '../../src/core/notification.js';
import { buildStoredRunReport } from '../../src/core/runtimeReport.js';
import { adaptiveCardProblems } from '../support/adaptiveCards.js';

const record: InstanceRecord = {
  region: 'eu-west-1',
  instanceId: 'i-0123456789abcdef0',
  launchTime: '2026-03-02T08:00:00.000Z',
  state: 'running',
  stateChangedAt: '2026-03-02T08:00:00.000Z',
  name: 'gpu-train-3',
  instanceType: 'p3.2xlarge',
  tags: {},
  group: 'ml',
  thresholdSeconds: 12 * 3600,
  renotifySeconds: 3600,
  extensionSeconds: 0,
  nagCount: 1,
  warnings: [],
  chatRefs: [],
  version: 3,
  price: { hourlyUsd: 4.1, source: 'on-demand', at: '2026-03-02T08:00:00.000Z' },
};
const { price: _none, ...unpriced } = record;
const now = new Date('2026-03-02T21:00:00Z'); // 13 hours in

describe('the cost line in chat', () => {
  it('is a field of the Slack nag, and says "price unknown" rather than $0', () => {
    // Act
    const priced = JSON.stringify(nagBlocks(nagMessageFromNotification(buildNagNotification(record, now))));
    const unknown = JSON.stringify(nagBlocks(nagMessageFromRecord(unpriced, now)));

    // Assert
    expect(priced).toContain('*Cost*\\n$4.10/h · $53 so far');
    expect(unknown).toContain('*Cost*\\nprice unknown');
    expect(unknown).not.toContain('$0');
  });

  it('is a fact of the Teams nag card (and so of status), which stays a valid card', () => {
    // Act
    const card = renderNagCard(nagMessageFromRecord(record, now));
    const unknown = renderNagCard(nagMessageFromRecord(unpriced, now));

    // Assert
    expect(JSON.stringify(card)).toContain('{"title":"Cost","value":"$4.10/h · $53 so far"}');
    expect(JSON.stringify(unknown)).toContain('{"title":"Cost","value":"price unknown"}');
    expect(adaptiveCardProblems(card)).toEqual([]);
  });

  it('ends every list row: /ec2 list and the App Home on Slack, list cards on Teams', () => {
    // Arrange
    const rows: InstanceRow[] = buildStoredRunReport(
      [record, { ...unpriced, instanceId: 'i-0fedcba987654321' }],
      now,
    );
    const reply: ChatReply = {
      kind: 'instances',
      visibility: 'private',
      title: 'Instances',
      rows,
      empty: 'none',
    };

    // Act
    const slack = JSON.stringify(slackReply(reply));
    const teams = JSON.stringify(teamsReply(reply));

    // Assert
    expect(rows[0]?.price).toEqual(record.price);
    expect(rowMrkdwn(rows[0]!)).toContain('13h / 12h · $4.10/h · $53 so far');
    expect(slack).toContain('price unknown');
    expect(teams).toContain('13h of 12h · over threshold · $4.10/h · $53 so far');
    expect(teams).toContain('price unknown');
  });

  it('ends the thread reply of a repeat nag, which a broadcast shows in the channel', () => {
    // Act
    const priced = repeatNagText(nagMessageFromRecord({ ...record, nagCount: 3 }, now).facts);
    const unknown = repeatNagText(nagMessageFromRecord({ ...unpriced, nagCount: 3 }, now).facts);

    // Assert
    expect(priced).toBe('Still running after 13h (threshold 12h, reminder 3) · $4.10/h · $53 so far.');
    expect(unknown).toBe('Still running after 13h (threshold 12h, reminder 3) · price unknown.');
  });
});
