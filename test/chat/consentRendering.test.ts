import { describe, expect, it } from 'vitest';
import { nagBlocks } from '../../src/chat/slack/blockKit.js';
import { renderNagCard } from '../../src/chat/teams/nagCard.js';
import type { InstanceRecord } from '../../src/core/instance.js';
import { nagMessageFromRecord } from '../../src/core/message/nagMessage.js';

const now = new Date('2026-12-02T14:00:00.000Z');
const record = (over: Partial<InstanceRecord> = {}): InstanceRecord => ({
  region: 'eu-west-1',
  instanceId: 'i-0123456789abcdef0',
  launchTime: '2026-12-02T08:00:00.000Z',
  state: 'running',
  stateChangedAt: '2026-12-02T08:00:00.000Z',
  tags: {},
  name: 'render-1',
  group: 'web',
  thresholdSeconds: 3600,
  renotifySeconds: 3600,
  extensionSeconds: 0,
  nagCount: 1,
  warnings: [],
  chatRefs: [],
  version: 1,
  ...over,
});

describe('a scheduled stop on the nag message', () => {
  it('says who scheduled it for when, escaped at the render boundary, on Slack and Teams', () => {
    // Arrange: the tag value comes from whoever tagged the instance.
    const m = nagMessageFromRecord(
      record({
        stopConsent: {
          kind: 'at',
          at: '2026-12-02T19:00:00.000Z',
          by: { platform: 'slack', id: 'U0ANA', name: '<!channel> ana*' },
          givenAt: now.toISOString(),
        },
      }),
      now,
    );

    // Act
    const slack = JSON.stringify(nagBlocks(m));
    const teams = JSON.stringify(renderNagCard(m));

    // Assert
    expect(slack).toContain('Stop scheduled for Wed 2 Dec 19:00 UTC by @&lt;!channel&gt; ana');
    expect(slack).not.toContain('<!channel>');
    expect(teams).toContain('Stop scheduled for Wed 2 Dec 19:00 UTC by @');
    expect(teams).not.toContain('ana*');
  });

  it('is gone once the run has stopped', () => {
    const m = nagMessageFromRecord(
      record({
        stopConsent: {
          kind: 'at',
          at: '2026-12-02T19:00:00.000Z',
          by: { source: 'tag', detail: 'AutoStop=at:19:00' },
          givenAt: now.toISOString(),
        },
      }),
      now,
      { kind: 'stopped-outside', runtimeSeconds: 3600 },
    );
    expect(JSON.stringify(nagBlocks(m))).not.toContain('Stop scheduled');
    expect(JSON.stringify(renderNagCard(m))).not.toContain('Stop scheduled');
  });
});
