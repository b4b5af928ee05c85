import { describe, expect, it } from 'vitest';
import { TransientError } from '../../../src/core/errors.js';
import { consentWorld, LAUNCH } from './consentWorld.js';

const ana = { platform: 'slack' as const, id: 'U0ANA', name: 'ana' };
const bob = { platform: 'teams' as const, id: 'aad-bob', name: 'Bob' };
const at = (iso: string) => ({ kind: 'at' as const, at: iso });

describe('Stop at a time', () => {
  it('warns ten minutes before, then stops once, recording and auditing who consented and when', async () => {
    // Arrange
    const w = consentWorld();
    const run = await w.launch();
    w.clock.set('2026-12-02T14:00:00.000Z');

    // Act
    const given = await w.consent.give(run, at('2026-12-02T19:00:00.000Z'), ana);
    const early = await w.advanceTo('2026-12-02T18:49:00.000Z');
    const warning = await w.advanceTo('2026-12-02T18:50:00.000Z');
    const warned = await w.store.get(run);
    const firing = await w.advanceTo('2026-12-02T19:00:00.000Z');

    // Assert
    expect(given).toMatchObject({
      status: 'done',
      notice: 'Stop scheduled for Wed 2 Dec 19:00 UTC by @ana.',
    });
    expect(early).toEqual([]);
    expect(warning.map((f) => f.kind)).toEqual(['warn']);
    expect(warned?.stopConsent?.warnedAt).toBe('2026-12-02T18:50:00.000Z');
    expect(firing.map((f) => f.kind)).toEqual(['stop']);
    expect(w.stopCalls()).toBe(1);
    const record = await w.store.get(run);
    expect(record?.state).toBe('stopping');
    expect(record?.stopConsent).toBeUndefined();
    expect(record?.lastStop).toMatchObject({
      by: ana,
      at: '2026-12-02T19:00:00.000Z',
      consent: { kind: 'at', by: ana, givenAt: '2026-12-02T14:00:00.000Z' },
    });
    const audit = await w.audit.recent(10);
    expect(audit.find((a) => a.action === 'stop')).toMatchObject({
      actor: 'slack:U0ANA',
      result: 'ok',
      detail: expect.stringContaining('consented (at) by slack:U0ANA at 2026-12-02T14:00:00.000Z'),
    });
    expect(audit.find((a) => a.action === 'consented-stop')).toMatchObject({
      actor: 'slack:U0ANA',
      result: 'ok',
    });
    // Each change went out with its record: scheduled, then warned.
    expect(
      w.store.outbox.filter((e) => e.type === 'instance.stop-consent').map((e) => 'change' in e && e.change),
    ).toEqual(['scheduled', 'warned']);
  });

  it('cancel: nothing fires, the log says why for a firing that arrives anyway, and it is audited', async () => {
    // Arrange
    const w = consentWorld();
    const run = await w.launch();
    await w.consent.give(run, at('2026-12-02T19:00:00.000Z'), ana);

    // Act
    const cancelled = await w.consent.cancel(run, bob);
    const fired = await w.advanceTo('2026-12-02T20:00:00.000Z');
    // A schedule that fires anyway (EventBridge may deliver one already on its way).
    const late = await w.consent.handleFiring({ kind: 'stop', ...run, stopAt: '2026-12-02T19:00:00.000Z' });

    // Assert
    expect(cancelled).toMatchObject({
      status: 'done',
      notice: 'Cancelled: stop at Wed 2 Dec 19:00 UTC, consented by @ana.',
    });
    expect(fired).toEqual([]);
    expect(late).toEqual({ act: 'nothing', reason: '@Bob cancelled the stop at 2026-12-02T08:00:00.000Z' });
    expect(w.logLines.at(-1)).toMatchObject({
      message: 'stop schedule fired; nothing to do',
      context: { reason: late.reason },
    });
    expect(w.stopCalls()).toBe(0);
    expect((await w.audit.recent(5)).map((a) => `${a.actor} ${a.action}`)).toContain(
      'teams:aad-bob consent-cancel',
    );
    expect(await w.consent.cancel(run, bob)).toMatchObject({
      status: 'refused',
      notice: 'No stop is scheduled for this run.',
    });
  });

  it('+1h moves the stop and warns again before the new time', async () => {
    const w = consentWorld();
    const run = await w.launch();
    w.clock.set('2026-12-02T18:00:00.000Z');
    await w.consent.give(run, at('2026-12-02T19:00:00.000Z'), ana);
    await w.advanceTo('2026-12-02T18:50:00.000Z');

    const moved = await w.consent.postpone(run, 3600, bob);
    const atOldTime = await w.advanceTo('2026-12-02T19:00:00.000Z');
    const warnAgain = await w.advanceTo('2026-12-02T19:50:00.000Z');
    const stop = await w.advanceTo('2026-12-02T20:00:00.000Z');

    expect(moved).toMatchObject({
      status: 'done',
      notice: 'Moved: stop at Wed 2 Dec 20:00 UTC, consented by @ana.',
    });
    expect(atOldTime).toEqual([]);
    expect(warnAgain.map((f) => f.kind)).toEqual(['warn']);
    expect(stop.map((f) => f.kind)).toEqual(['stop']);
    expect(w.stopCalls()).toBe(1);
  });

  it('+1h that the scheduler refuses keeps the stop where it was, says so, and still stops then', async () => {
    // Arrange
    const w = consentWorld();
    const run = await w.launch();
    w.clock.set('2026-12-02T18:00:00.000Z');
    await w.consent.give(run, at('2026-12-02T19:00:00.000Z'), ana);
    const working = w.stops.schedule.bind(w.stops);
    w.stops.schedule = async () => {
      throw new TransientError('CreateSchedule failed: ThrottlingException');
    };

    // Act
    const moved = await w.consent.postpone(run, 3600, bob);
    w.stops.schedule = working;
    const record = await w.store.get(run);
    const stop = await w.advanceTo('2026-12-02T19:00:00.000Z');

    // Assert
    expect(moved).toMatchObject({
      status: 'refused',
      notice: expect.stringContaining('Not scheduled: the stop schedule could not be made'),
    });
    expect(record?.stopConsent).toMatchObject({ kind: 'at', at: '2026-12-02T19:00:00.000Z' });
    expect(stop.map((f) => f.kind)).toEqual(['warn', 'stop']);
    expect(w.stopCalls()).toBe(1);
  });

  it('a consent the scheduler refuses is not kept: no stop is shown that nothing would carry out', async () => {
    // Arrange
    const w = consentWorld();
    const run = await w.launch();
    w.stops.schedule = async () => {
      throw new TransientError('CreateSchedule failed: InternalServerException');
    };

    // Act
    const given = await w.consent.give(run, at('2026-12-02T19:00:00.000Z'), ana);

    // Assert
    expect(given).toMatchObject({ status: 'refused', notice: expect.stringContaining('Nothing changed') });
    expect((await w.store.get(run))?.stopConsent).toBeUndefined();
    expect(
      w.store.outbox.filter((e) => e.type === 'instance.stop-consent').map((e) => 'change' in e && e.change),
    ).toEqual(['scheduled', 'cancelled']);
  });

  it('Cancel holds when the schedules cannot be deleted: what is left fires into nothing', async () => {
    // Arrange
    const w = consentWorld();
    const run = await w.launch();
    await w.consent.give(run, at('2026-12-02T19:00:00.000Z'), ana);
    w.stops.cancel = async () => {
      throw new TransientError('DeleteSchedule failed: ThrottlingException');
    };

    // Act
    const cancelled = await w.consent.cancel(run, bob);
    const fired = await w.advanceTo('2026-12-02T19:00:00.000Z');

    // Assert
    expect(cancelled).toMatchObject({ status: 'done', notice: expect.stringContaining('Cancelled') });
    expect((await w.store.get(run))?.stopConsent).toBeUndefined();
    expect(fired.map((f) => f.kind)).toEqual(['warn', 'stop']);
    expect(w.stopCalls()).toBe(0);
  });

  it('two people scheduling and cancelling at once end in one consistent state', async () => {
    const w = consentWorld();
    const run = await w.launch();

    const results = await Promise.all([
      w.consent.give(run, at('2026-12-02T19:00:00.000Z'), ana),
      w.consent.give(run, at('2026-12-02T21:00:00.000Z'), bob),
      w.consent.cancel(run, ana),
    ]);

    expect(results.every((r) => r.status === 'done' || r.status === 'refused')).toBe(true);
    const record = await w.store.get(run);
    const schedule = await w.stops.get(run);
    // Whatever order they landed in, the schedule matches the record's consent.
    expect(schedule?.stopAt).toBe(record?.stopConsent?.kind === 'at' ? record.stopConsent.at : undefined);
    await w.advanceTo('2026-12-02T22:00:00.000Z');
    expect(w.stopCalls()).toBe(record?.stopConsent ? 1 : 0);
  });

  it('refuses a time in the past or more than a week away, and a run that is over', async () => {
    const w = consentWorld();
    const run = await w.launch();
    expect(await w.consent.give(run, at('2026-12-02T07:00:00.000Z'), ana)).toMatchObject({
      status: 'refused',
    });
    expect(await w.consent.give(run, at('2026-12-20T07:00:00.000Z'), ana)).toMatchObject({
      status: 'refused',
      notice: expect.stringContaining('more than 7d away'),
    });
    const old = { ...run, launchTime: '2026-11-25T08:00:00.000Z' };
    expect(await w.consent.give(old, at('2026-12-02T19:00:00.000Z'), ana)).toMatchObject({
      status: 'refused',
      notice: expect.stringContaining('restarted'),
    });
    expect(await w.stops.list()).toEqual([]);
  });
});

describe('automatic cancellation', () => {
  it('a run stopped meanwhile loses its schedule and a late firing does nothing', async () => {
    const w = consentWorld();
    const run = await w.launch();
    await w.consent.give(run, at('2026-12-02T19:00:00.000Z'), ana);

    w.clock.set('2026-12-02T12:00:00.000Z');
    w.fleet.set(run, { state: 'stopped' });
    await w.monitor.handleStateChange({ ...run, state: 'stopped', time: '2026-12-02T12:00:00.000Z' });

    expect(await w.stops.get(run)).toBeUndefined();
    expect((await w.store.get(run))?.stopConsent).toBeUndefined();
    const late = await w.consent.handleFiring({ kind: 'stop', ...run, stopAt: '2026-12-02T19:00:00.000Z' });
    expect(late).toEqual({ act: 'nothing', reason: 'the run is already stopped' });
    expect(w.stopCalls()).toBe(0);
  });

  it('a relaunched instance loses the old run schedule; a firing for the old run does nothing', async () => {
    const w = consentWorld();
    const run = await w.launch();
    await w.consent.give(run, at('2026-12-02T19:00:00.000Z'), ana);

    w.clock.set('2026-12-02T12:00:00.000Z');
    const relaunched = '2026-12-02T12:00:00.000Z';
    w.fleet.set(run, { state: 'running', launchTime: relaunched });
    await w.monitor.reconcile();

    expect(await w.stops.get(run)).toBeUndefined();
    const late = await w.consent.handleFiring({ kind: 'stop', ...run, stopAt: '2026-12-02T19:00:00.000Z' });
    expect(late.act).toBe('nothing');
    expect(late.reason).toBe(
      `the schedule was for the run launched ${LAUNCH}; the current run launched ${relaunched}`,
    );
    expect(w.stopCalls()).toBe(0);
  });
});

describe('the AutoStop tag', () => {
  it('consents for each new run at the next 19:00 in the group zone, once, and a cancel holds', async () => {
    // Arrange
    const w = consentWorld({ groupTimeZones: { web: 'Europe/Paris' } });

    // Act
    const run = await w.launch({ AutoStop: 'at:19:00' });
    const first = await w.store.get(run);
    await w.monitor.reconcile();
    const afterSweep = await w.store.get(run);

    // Assert: 19:00 in Paris is 18:00 UTC; given by the tag, not a person.
    expect(first?.stopConsent).toEqual({
      kind: 'at',
      at: '2026-12-02T18:00:00.000Z',
      by: { source: 'tag', detail: 'AutoStop=at:19:00' },
      givenAt: LAUNCH,
    });
    expect(await w.stops.get(run)).toMatchObject({
      stopAt: '2026-12-02T18:00:00.000Z',
      warnAt: '2026-12-02T17:50:00.000Z',
    });
    // A sweep that sees nothing new writes nothing.
    expect(afterSweep?.version).toBe(first?.version);

    await w.consent.cancel(run, ana);
    await w.monitor.reconcile();
    expect((await w.store.get(run))?.stopConsent).toBeUndefined();
    await w.advanceTo('2026-12-02T19:00:00.000Z');
    expect(w.stopCalls()).toBe(0);
  });

  it('stops on the tag consent, recording the tag as the consent and Lights Out as the actor', async () => {
    const w = consentWorld();
    const run = await w.launch({ AutoStop: 'at:19:00' });

    await w.advanceTo('2026-12-02T19:00:00.000Z');

    expect(w.stopCalls()).toBe(1);
    expect((await w.store.get(run))?.lastStop).toMatchObject({
      by: { platform: 'schedule' },
      consent: { kind: 'at', by: { source: 'tag', detail: 'AutoStop=at:19:00' }, givenAt: LAUNCH },
    });
    expect((await w.audit.recent(5)).find((a) => a.action === 'consented-stop')?.actor).toBe(
      'tag:AutoStop=at:19:00',
    );
  });

  it('a bad value is a warning on the instance, and no stop', async () => {
    const w = consentWorld();
    const run = await w.launch({ AutoStop: 'tonight' });
    const record = await w.store.get(run);
    expect(record?.warnings).toEqual([
      'AutoStop "tonight": expected at:HH:MM, idle:<duration> or off; no automatic stop',
    ]);
    expect(record?.stopConsent).toBeUndefined();
    expect(await w.stops.list()).toEqual([]);
  });
});
