import { describe, expect, it } from 'vitest';
import { nagBlocks, warningBlocks } from '../../src/chat/slack/blockKit.js';
import { SLACK_LIMITS } from '../../src/chat/slack/slackLimits.js';
import { renderNagCard, renderWarningCard } from '../../src/chat/teams/nagCard.js';
import { MAX_CARD_BYTES } from '../../src/chat/teams/teamsLimits.js';
import type { InstanceRecord } from '../../src/core/instance.js';
import {
  type ConsentOffers,
  consentWarning,
  consentWarningText,
  offerConsents,
} from '../../src/core/message/consentMessage.js';
import { type NagMessage, nagMessageFromRecord } from '../../src/core/message/nagMessage.js';
import { adaptiveCardProblems } from '../support/adaptiveCards.js';

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

const OFFERS: ConsentOffers = { stopAt: true, idleWindowSeconds: 1800 };
const at19 = {
  kind: 'at' as const,
  at: '2026-12-02T19:00:00.000Z',
  by: { platform: 'slack' as const, id: 'U0ANA', name: 'ana' },
  givenAt: now.toISOString(),
};
const EPOCH_19 = Date.parse(at19.at) / 1000;

type Actions = {
  type: string;
  elements: { type: string; action_id?: string; options?: { text: { text: string } }[] }[];
};
const slackActions = (m: NagMessage) => nagBlocks(m).find((b) => b.type === 'actions') as unknown as Actions;
const slackIds = (m: NagMessage) => slackActions(m).elements.map((e) => e.action_id);

describe('a scheduled stop on the nag message', () => {
  it("shows the time in each reader's zone (Slack <!date>, Teams DATE/TIME), with UTC as the fallback", () => {
    const m = nagMessageFromRecord(record({ stopConsent: at19 }), now);

    const slack = JSON.stringify(nagBlocks(m));
    const teams = JSON.stringify(renderNagCard(m));

    expect(slack).toContain(
      `Stop scheduled for <!date^${EPOCH_19}^{date_short_pretty} {time}|Wed 2 Dec 19:00 UTC> by <@U0ANA>`,
    );
    expect(teams).toContain(
      'Stop scheduled for {{DATE(2026-12-02T19:00:00Z, SHORT)}} {{TIME(2026-12-02T19:00:00Z)}} by ana',
    );
  });

  it('escapes what a tag or a person wrote, on Slack and Teams, in the message and the warning', () => {
    const hostileTag = {
      ...at19,
      by: { source: 'tag' as const, detail: 'AutoStop=<!channel> *[x](https://evil.example)*' },
    };
    const hostilePerson = {
      ...at19,
      by: { platform: 'teams' as const, id: 'aad-1', name: '**<at>boss</at>**' },
    };
    const r = record({ name: '<!here> [log](https://evil.example)', stopConsent: hostileTag });
    const m = nagMessageFromRecord(r, now);
    const w = consentWarning(r, hostileTag, now);
    const teamsM = nagMessageFromRecord(record({ stopConsent: hostilePerson }), now);

    const slack = JSON.stringify([...nagBlocks(m), ...warningBlocks(w)]);
    const teams = JSON.stringify([renderNagCard(m), renderWarningCard(w), renderNagCard(teamsM)]);

    expect(slack).not.toContain('<!channel>');
    expect(slack).not.toContain('<!here>');
    expect(slack).toContain('&lt;!channel&gt;');
    expect(teams).not.toContain('[x](https');
    expect(teams).not.toContain('[log](https');
    expect(teams).not.toContain('**<at>');
    expect(teams).toContain(JSON.stringify('\\*\\*\\<at\\>boss').slice(1, -1));
  });

  it('offers Cancel and +1h for a stop at a time, Cancel only for an idle stop, and no Stop at… while one is scheduled', () => {
    const atM = offerConsents(nagMessageFromRecord(record({ stopConsent: at19 }), now), OFFERS);
    const idleM = offerConsents(
      nagMessageFromRecord(
        record({ stopConsent: { kind: 'idle', forSeconds: 1800, by: at19.by, givenAt: at19.givenAt } }),
        now,
      ),
      OFFERS,
    );

    expect(slackIds(atM)).toEqual(expect.arrayContaining(['lightsout.cancelStop', 'lightsout.postponeStop']));
    expect(slackIds(atM)).not.toContain('lightsout.stopAt');
    expect(slackIds(idleM)).toContain('lightsout.cancelStop');
    expect(slackIds(idleM)).not.toContain('lightsout.postponeStop');
    expect(JSON.stringify(renderNagCard(atM))).toContain('"title":"+1h"');
    expect(JSON.stringify(renderNagCard(idleM))).not.toContain('"title":"+1h"');
    expect(JSON.stringify(renderNagCard(idleM))).toContain('"title":"Cancel stop"');
  });

  it('the warning carries Cancel and +1h, and says "below", not "on the message"', () => {
    const w = consentWarning(record(), at19, new Date(Date.parse(at19.at) - 600_000));

    const slack = warningBlocks(w);
    const card = renderWarningCard(w);

    expect(consentWarningText(w)).toBe(
      '⚠️ render-1 (i-0123456789abcdef0) stops in 10m (Wed 2 Dec 19:00 UTC), as @ana asked. Press Cancel or +1h below to keep it running.',
    );
    expect(JSON.stringify(slack)).toContain(`<!date^${EPOCH_19}^`);
    expect((slack[1] as unknown as Actions).elements.map((e) => e.action_id)).toEqual([
      'lightsout.cancelStop',
      'lightsout.postponeStop',
    ]);
    expect(JSON.stringify(card)).toContain('"title":"Cancel stop"');
    expect(JSON.stringify(card)).toContain('"title":"+1h"');
    expect(adaptiveCardProblems(card)).toEqual([]);
  });

  it('is gone once the run has stopped', () => {
    const m = nagMessageFromRecord(
      record({ stopConsent: { ...at19, by: { source: 'tag', detail: 'AutoStop=at:19:00' } } }),
      now,
      { kind: 'stopped-outside', runtimeSeconds: 3600 },
    );
    expect(JSON.stringify(nagBlocks(m))).not.toContain('Stop scheduled');
    expect(JSON.stringify(renderNagCard(m))).not.toContain('Stop scheduled');
  });
});

describe('Stop at… and Stop when idle on the nag message', () => {
  it("are offered on a live run, within Slack's and Teams' limits, as a valid card", () => {
    const m = offerConsents(nagMessageFromRecord(record({ hibernationConfigured: true }), now), OFFERS);

    const actions = slackActions(m);
    const card = renderNagCard(m);

    expect(slackIds(m)).toEqual(
      expect.arrayContaining(['lightsout.stopAt', 'lightsout.stopAtTime', 'lightsout.stopWhenIdle']),
    );
    expect(actions.elements.length).toBeLessThanOrEqual(25);
    const options = actions.elements.flatMap((e) => e.options ?? []);
    expect(options.every((o) => o.text.text.length <= 75)).toBe(true);
    expect(JSON.stringify(card)).toContain('"type":"Input.Time"');
    expect(JSON.stringify(card)).toContain('"title":"Stop when idle (30m)"');
    expect(Buffer.byteLength(JSON.stringify(card))).toBeLessThanOrEqual(MAX_CARD_BYTES);
    expect(JSON.stringify(nagBlocks(m)).length).toBeLessThan(SLACK_LIMITS.text);
    expect(adaptiveCardProblems(card)).toEqual([]);
  });

  it('are not offered where the deployment cannot honour them, on ended runs, or on stop-protected instances', () => {
    const live = nagMessageFromRecord(record(), now);
    const noIdle = offerConsents(live, { stopAt: true });
    const none = offerConsents(live, undefined);
    const ended = offerConsents(nagMessageFromRecord(record(), now, { kind: 'terminated' }), OFFERS);
    const stopped = offerConsents(
      nagMessageFromRecord(record(), now, { kind: 'stopped-outside', runtimeSeconds: 60 }),
      OFFERS,
    );
    const protectedM = offerConsents(nagMessageFromRecord(record({ stopProtected: true }), now), OFFERS);

    expect(slackIds(noIdle)).toContain('lightsout.stopAt');
    expect(slackIds(noIdle)).not.toContain('lightsout.stopWhenIdle');
    for (const m of [none, ended, stopped, protectedM]) {
      const ids = JSON.stringify(nagBlocks(m)) + JSON.stringify(renderNagCard(m));
      expect(ids).not.toContain('lightsout.stopAt');
      expect(ids).not.toContain('lightsout.stopWhenIdle');
      expect(ids).not.toContain('Input.Time');
    }
  });
});
