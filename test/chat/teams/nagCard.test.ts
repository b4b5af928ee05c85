import { describe, expect, it } from 'vitest';
import type { ChatReply } from '../../../src/chat/core/replies.js';
import { renderNagCard, VERBS } from '../../../src/chat/teams/nagCard.js';
import { renderReply } from '../../../src/chat/teams/replyCards.js';
import {
  type NagMessage,
  type NagOutcome,
  nagMessageFromNotification,
} from '../../../src/core/message/nagMessage.js';
import { adaptiveCardProblems } from '../../support/adaptiveCards.js';

const alice = { platform: 'teams' as const, id: 'a11ce000-0000-4000-8000-000000000001', name: 'Alice' };
const bob = { platform: 'slack' as const, id: 'U0BOB', name: 'bob' };

function nag(overrides: Partial<NagMessage['facts']> = {}): NagMessage {
  return nagMessageFromNotification({
    kind: 'nag',
    instanceId: 'i-0123456789abcdef0',
    name: 'web-1',
    instanceType: 't3.micro',
    availabilityZone: 'eu-west-1a',
    account: '123456789012',
    region: 'eu-west-1',
    group: 'web',
    launchTime: '2026-11-20T15:00:00.000Z',
    runtimeSeconds: 13 * 3600 + 120,
    thresholdSeconds: 12 * 3600,
    nagCount: 2,
    warnings: ['Threshold "abc" is not a duration; using 12h'],
    consoleUrl: 'https://eu-west-1.console.aws.amazon.com/ec2/home?region=eu-west-1',
    dueAt: '2026-11-21T04:02:00.000Z',
    ...overrides,
  });
}

const withOutcome = (outcome: NagOutcome): NagMessage => {
  const m = nag();
  const live = outcome.kind === 'snoozed' || outcome.kind === 'extended';
  return { ...m, outcome, actions: { stop: live, snooze: live, extend: live } };
};

const text = (v: unknown) => JSON.stringify(v);

const outcomes: [string, NagOutcome, RegExp][] = [
  [
    'stopped in Teams',
    { kind: 'stopped', by: alice, runtimeSeconds: 13 * 3600 + 120 },
    /Stopped by Alice after 13h 02m/,
  ],
  [
    'stopped in Slack',
    { kind: 'stopped', by: bob, runtimeSeconds: 3600 },
    /Stopped by bob \(in Slack\) after 1h\b/,
  ],
  [
    'snoozed',
    { kind: 'snoozed', by: alice, until: '2026-11-21T08:00:00.000Z' },
    /Snoozed by Alice until \{\{DATE\(2026-11-21T08:00:00Z, SHORT\)\}\} \{\{TIME\(2026-11-21T08:00:00Z\)\}\}/,
  ],
  [
    'extended',
    { kind: 'extended', by: alice, thresholdSeconds: 20 * 3600 },
    /Threshold extended to 20h by Alice/,
  ],
  ['stopped outside', { kind: 'stopped-outside', runtimeSeconds: 7200 }, /Stopped outside Teams after 2h\b/],
  [
    'unobserved stop',
    { kind: 'stopped-outside', runtimeSeconds: 10 * 3600, unobserved: true },
    /This run is over: it stopped while Lights Out wasn't watching; counted to when last seen running, 10h\b/,
  ],
  ['terminated', { kind: 'terminated', runtimeSeconds: 60 }, /Terminated/],
  ['restarted', { kind: 'restarted' }, /Restarted since this message was posted/],
];

describe('Teams nag card', () => {
  it('shows the same facts as the Slack message and is a valid Adaptive Card 1.5', () => {
    const card = renderNagCard(nag());

    expect(adaptiveCardProblems(card)).toEqual([]);
    for (const fact of [
      'web-1 (i-0123456789abcdef0)',
      't3.micro',
      'eu-west-1 (eu-west-1a)',
      '123456789012',
      '13h 02m',
      '12h',
    ]) {
      expect(text(card)).toContain(fact);
    }
    expect(text(card)).toContain('{{DATE(2026-11-20T15:00:00Z, SHORT)}}');
    expect(text(card)).toContain('Threshold \\"abc\\" is not a duration');
    expect(text(card)).toContain('Open in EC2 console');
  });

  it('offers Stop behind a hidden in-card confirmation, and the snooze and extend menus', () => {
    const card = text(renderNagCard(nag()));

    expect(card).toMatch(
      /"type":"Action.ToggleVisibility","title":"Stop…","targetElements":\["stopConfirm"\]/,
    );
    expect(card).toMatch(/"id":"stopConfirm","isVisible":false/);
    expect(card).toContain(`"verb":"${VERBS.stop}","data":{"token":"lo1|eu-west-1|i-0123456789abcdef0|`);
    expect(card).toContain('"confirmed":true');
    expect(card).toMatch(/"value":"1h".*"value":"4h".*"value":"tomorrow-09:00"/);
    expect(card).toMatch(/"value":"2h".*"value":"4h".*"value":"8h".*"value":"24h"/);
  });

  it('shows the idle evidence line while the run is live, and not once it ended', () => {
    const idle = {
      windowSeconds: 7200,
      periodSeconds: 300,
      cpuAvgPercent: 0.4,
      networkBytes: 12_000,
      gpuReported: false,
    };
    const live = text(renderNagCard(nag({ idle })));
    const ended = text(
      renderNagCard({
        ...nag({ idle }),
        outcome: { kind: 'terminated' },
        actions: { stop: false, snooze: false, extend: false },
      }),
    );

    expect(live).toContain('📊 CPU 0.4% avg over the last 2h · network 12 KB');
    expect(adaptiveCardProblems(renderNagCard(nag({ idle })))).toEqual([]);
    expect(ended).not.toContain('CPU 0.4%');
  });

  it('says of a stop nobody saw only what is known, not that it was made outside Teams', () => {
    const card = text(
      renderNagCard(withOutcome({ kind: 'stopped-outside', runtimeSeconds: 10 * 3600, unobserved: true })),
    );

    expect(card).toContain("it stopped while Lights Out wasn't watching");
    expect(card).not.toContain('Stopped outside');
  });

  it('can open the confirmation directly', () => {
    const card = renderNagCard(nag(), { confirmStop: true });

    expect(adaptiveCardProblems(card)).toEqual([]);
    expect(text(card)).not.toContain('isVisible');
  });

  it.each(outcomes)('renders the %s outcome as a valid card', (_name, outcome, expected) => {
    const card = renderNagCard(withOutcome(outcome));

    expect(adaptiveCardProblems(card)).toEqual([]);
    expect(text(card)).toMatch(expected);
    const live = outcome.kind === 'snoozed' || outcome.kind === 'extended';
    expect(text(card).includes('Action.Execute')).toBe(live);
  });

  it.each(['info', 'warning', 'error'] as const)('renders a %s notice above the facts', (tone) => {
    const card = renderNagCard(nag(), { notice: { text: 'Nothing done: `web-1` is gone.', tone } });

    expect(adaptiveCardProblems(card)).toEqual([]);
    expect(text(card.body[0])).toContain('Nothing done: \\"web-1\\" is gone.');
  });

  it('renders an instance without optional facts', () => {
    const card = renderNagCard(
      nag({ name: undefined, instanceType: undefined, account: undefined, warnings: [] }),
    );

    expect(adaptiveCardProblems(card)).toEqual([]);
    expect(text(card)).toContain('i-0123456789abcdef0 has been running');
  });
});

describe('Teams command replies', () => {
  const row = {
    name: 'web-1',
    instanceId: 'i-0123456789abcdef0',
    region: 'eu-west-1',
    group: 'web',
    state: 'running',
    runtimeSeconds: 13 * 3600,
    thresholdSeconds: 12 * 3600,
    over: true,
    snoozedUntil: '2026-11-21T08:00:00.000Z',
    undelivered: true,
    consoleUrl: 'https://eu-west-1.console.aws.amazon.com/ec2/home',
  };
  const cards: [string, ChatReply][] = [
    [
      'instances',
      {
        kind: 'instances',
        visibility: 'private',
        title: 'Instances in web',
        rows: [row, { ...row, over: false, snoozedUntil: undefined, undelivered: false }],
        empty: 'none',
      },
    ],
    [
      'no instances',
      {
        kind: 'instances',
        visibility: 'private',
        title: 'Instances in web',
        rows: [],
        empty: 'No running monitored instances.',
      },
    ],
    [
      'instance',
      { kind: 'instance', visibility: 'private', intro: 'State: running · Next nag: `soon`', message: nag() },
    ],
  ];

  it.each(cards)('renders %s as a valid card', (_name, reply) => {
    const rendered = renderReply(reply);

    expect(rendered.card).toBeDefined();
    expect(adaptiveCardProblems(rendered.card)).toEqual([]);
  });

  it('renders text, errors and refusals as markdown messages', () => {
    expect(
      renderReply({
        kind: 'text',
        visibility: 'channel',
        title: 'This channel follows',
        lines: ['`web`', '`db`'],
      }).text,
    ).toBe('**This channel follows**\n\n`web`\n\n`db`');
    expect(
      renderReply({
        kind: 'error',
        visibility: 'private',
        error: '`extend` needs a duration',
        usage: ['@Lights Out extend …'],
      }).text,
    ).toBe('That did not work: `extend` needs a duration.\n\n**Usage**\n\n@Lights Out extend …');
    expect(renderReply({ kind: 'refused', visibility: 'private', reason: 'Not here.' }).text).toBe(
      'Not here.',
    );
  });
});
