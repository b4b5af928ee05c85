import { describe, expect, it } from 'vitest';
import type { InstanceRecord } from '../../src/core/instance.js';
import {
  consentGiverText,
  decideFiring,
  decideStandingConsent,
  parseAutoStop,
  parseStopAt,
  parseStopIn,
  postponed,
  type StopConsent,
  type StopFiring,
  warningTime,
} from '../../src/core/stopConsent.js';
import { readTagPolicy } from '../../src/core/tagPolicy.js';

// Wednesday 2 December 2026, 14:30 UTC.
const now = new Date('2026-12-02T14:30:00Z');
const ana = { platform: 'slack' as const, id: 'U0ANA', name: 'ana' };
const LAUNCH = '2026-12-02T08:00:00.000Z';

const record = (over: Partial<InstanceRecord> = {}): InstanceRecord => ({
  region: 'eu-west-1',
  instanceId: 'i-0123456789abcdef0',
  launchTime: LAUNCH,
  state: 'running',
  stateChangedAt: LAUNCH,
  tags: {},
  group: 'web',
  thresholdSeconds: 3600,
  renotifySeconds: 3600,
  extensionSeconds: 0,
  nagCount: 1,
  warnings: [],
  chatRefs: [],
  version: 3,
  ...over,
});

describe('parsing a stop time', () => {
  it('reads --at as the next occurrence of that clock time in the given zone', () => {
    const later = parseStopAt('19:00', now, 'Europe/Lisbon');
    expect(later).toMatchObject({ ok: true, at: new Date('2026-12-02T19:00:00Z') });
    // 19:00 in New York (UTC-5) is midnight UTC.
    expect(parseStopAt('19:00', now, 'America/New_York')).toMatchObject({
      ok: true,
      at: new Date('2026-12-03T00:00:00Z'),
    });
    // 09:00 has passed in UTC: tomorrow's.
    expect(parseStopAt('9:00', now, 'UTC')).toMatchObject({ ok: true, at: new Date('2026-12-03T09:00:00Z') });
  });

  it('reads --in as a duration from now, within a minute and a week', () => {
    expect(parseStopIn('2h', now)).toMatchObject({ ok: true, at: new Date('2026-12-02T16:30:00Z') });
    expect(parseStopIn('8d', now)).toMatchObject({ ok: false, reason: expect.stringContaining('longer') });
    expect(parseStopIn('soon', now)).toMatchObject({ ok: false });
  });

  it('says what works when the time is not one', () => {
    const bad = parseStopAt('7pm', now, 'UTC');
    expect(bad).toMatchObject({ ok: false, reason: expect.stringContaining('--at HH:MM') });
  });
});

describe('the AutoStop tag', () => {
  it('parses at:, idle: and off', () => {
    expect(parseAutoStop('at:19:00')).toEqual({ ok: true, spec: { kind: 'at', hour: 19, minute: 0 } });
    expect(parseAutoStop('idle:30m')).toEqual({ ok: true, spec: { kind: 'idle', forSeconds: 1800 } });
    expect(parseAutoStop('off')).toEqual({ ok: true, spec: undefined });
    expect(parseAutoStop('at:25:00')).toMatchObject({ ok: false });
    expect(parseAutoStop('idle:1m')).toMatchObject({ ok: false, reason: expect.stringContaining('shorter') });
  });

  it('turns a bad value into a warning on the instance, and a good one into the policy', () => {
    const defaults = {
      mode: 'opt-out' as const,
      defaultGroup: 'all',
      defaultThresholdSeconds: 3600,
      defaultRenotifySeconds: 3600,
    };
    expect(readTagPolicy({ AutoStop: 'at:19:00' }, defaults).autoStop).toEqual({
      kind: 'at',
      hour: 19,
      minute: 0,
    });
    const bad = readTagPolicy({ AutoStop: 'tonight' }, defaults);
    expect(bad.autoStop).toBeUndefined();
    expect(bad.warnings).toEqual([
      'AutoStop "tonight": expected at:HH:MM, idle:<duration> or off; no automatic stop',
    ]);
    // The key is configurable.
    const custom = readTagPolicy({ StopAt: 'idle:45m' }, { ...defaults, autoStopTag: 'StopAt' });
    expect(custom.autoStop).toEqual({ kind: 'idle', forSeconds: 2700 });
  });

  it('gives standing consent once per run, in the group zone, and never after a cancel', () => {
    const standing = {
      spec: { kind: 'at' as const, hour: 19, minute: 0 },
      by: { source: 'tag' as const, detail: 'AutoStop=at:19:00' },
    };
    const given = decideStandingConsent(record(), standing, now, 'Europe/Paris');
    expect(given).toMatchObject({
      action: 'give',
      consent: { kind: 'at', at: '2026-12-02T18:00:00.000Z', by: standing.by, givenAt: now.toISOString() },
    });
    const consent = (given as { consent: StopConsent }).consent;
    expect(decideStandingConsent(record({ stopConsent: consent }), standing, now, 'UTC').action).toBe('keep');
    const cancelled = decideStandingConsent(
      record({ consentCancelled: { by: ana, at: now.toISOString() } }),
      standing,
      now,
      'UTC',
    );
    expect(cancelled).toEqual({ action: 'keep', reason: '@ana cancelled the stop for this run' });
  });
});

describe('a firing of a stop schedule', () => {
  const consent: StopConsent = {
    kind: 'at',
    at: '2026-12-02T19:00:00.000Z',
    by: ana,
    givenAt: now.toISOString(),
  };
  const firing = (over: Partial<StopFiring> = {}): StopFiring => ({
    kind: 'stop',
    region: 'eu-west-1',
    instanceId: 'i-0123456789abcdef0',
    launchTime: LAUNCH,
    stopAt: consent.at,
    ...over,
  });

  it('stops the run someone consented for, and says who', () => {
    expect(decideFiring(record({ stopConsent: consent }), firing())).toEqual({
      act: 'stop',
      reason: `@ana consented at ${now.toISOString()}`,
    });
  });

  it('does nothing for an old run, a cancelled or moved stop, a stopped run, and says why', () => {
    expect(
      decideFiring(record({ stopConsent: consent }), firing({ launchTime: '2026-11-25T08:00:00Z' })).reason,
    ).toMatch(/current run launched/);
    expect(
      decideFiring(record({ consentCancelled: { by: ana, at: '2026-12-02T15:00:00.000Z' } }), firing())
        .reason,
    ).toBe('@ana cancelled the stop at 2026-12-02T15:00:00.000Z');
    expect(decideFiring(record({ stopConsent: postponed(consent, 3600) }), firing()).reason).toBe(
      'the stop was moved to 2026-12-02T20:00:00.000Z',
    );
    expect(decideFiring(record({ state: 'stopped', stopConsent: consent }), firing())).toEqual({
      act: 'nothing',
      reason: 'the run is already stopped',
    });
    expect(decideFiring(undefined, firing()).act).toBe('nothing');
  });

  it('warns once', () => {
    expect(decideFiring(record({ stopConsent: consent }), firing({ kind: 'warn' })).act).toBe('warn');
    const warned = { ...consent, warnedAt: '2026-12-02T18:50:00.000Z' };
    expect(decideFiring(record({ stopConsent: warned }), firing({ kind: 'warn' })).act).toBe('nothing');
    // A warning that arrives when the stop is due (the process was down) is skipped.
    expect(
      decideFiring(record({ stopConsent: consent }), firing({ kind: 'warn' }), new Date(consent.at)),
    ).toEqual({
      act: 'nothing',
      reason: 'the stop is due now; a warning would come too late',
    });
    // +1h clears the warning so the next one goes out before the new time.
    expect(postponed(warned as StopConsent & { kind: 'at' }, 3600).warnedAt).toBeUndefined();
  });

  it('warns ten minutes before, at once when that has passed, and not when the stop is too close', () => {
    const at = new Date('2026-12-02T19:00:00Z');
    expect(warningTime(at, now)).toEqual(new Date('2026-12-02T18:50:00Z'));
    expect(warningTime(at, new Date('2026-12-02T18:55:00Z'))).toEqual(new Date('2026-12-02T18:55:00Z'));
    expect(warningTime(at, new Date('2026-12-02T18:59:00Z'))).toBeUndefined();
  });

  it('names standing consent for what it is', () => {
    expect(consentGiverText({ source: 'tag', detail: 'AutoStop=at:19:00' })).toBe(
      'the tag AutoStop=at:19:00',
    );
    expect(consentGiverText({ source: 'group', detail: 'idle:30m' })).toBe(
      "the group's standing consent (idle:30m)",
    );
  });
});
