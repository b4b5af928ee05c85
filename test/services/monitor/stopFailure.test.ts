/**
 * StopInstances fails in a way that does not say whether it was applied: the
 * clicker is told what EC2 says afterwards, not a guess.
 */
import { beforeEach, describe, expect, it } from 'vitest';
import type { ChatActor } from '../../../src/ports/chat.js';
import { useFaultProxy } from '../../support/faultProxy.js';
import { useMoto } from '../../support/moto.js';
import { stopWorld } from '../../support/stopWorld.js';

const moto = useMoto();
const proxy = useFaultProxy(moto);
const ana: ChatActor = { platform: 'slack', id: 'U0ANA', name: 'ana' };

describe('a Stop whose StopInstances fails ambiguously', () => {
  beforeEach(async () => {
    await moto.reset();
    proxy.reset();
  });

  it('reports the stop when EC2 applied it but the answer was lost', async () => {
    // Arrange
    const world = stopWorld(proxy.get().clientConfig);
    const record = await world.launch('web-1');
    proxy.get().addRule({ action: 'StopInstances', fault: { kind: 'dropAfterApply' } });

    // Act
    const result = await world.stop(record, ana, 'r1');

    // Assert
    expect(proxy.get().count('StopInstances')).toMatchObject({ forwarded: 1, dropped: 1 });
    expect(result.status).toBe('done');
    expect(result.notice).toMatch(/^Stopping web-1 .* EC2 reports it stopping/);
    expect(result.notice).not.toContain('Nothing changed');
    expect(await world.store.get(record)).toMatchObject({ state: 'stopping', lastStop: { by: ana } });
    expect((await world.audit.recent(1))[0]).toMatchObject({ action: 'stop', result: 'ok' });
  });

  it('says nothing changed when EC2 still reports it running, and lets the next click try again', async () => {
    // Arrange: one 503 that never reached EC2.
    const world = stopWorld(proxy.get().clientConfig);
    const record = await world.launch('web-1');
    proxy.get().addRule({ action: 'StopInstances', fault: { kind: 'error', status: 503 }, times: 1 });

    // Act
    const failed = await world.stop(record, ana, 'r1');
    const retried = await world.stop(record, ana, 'r2');

    // Assert
    expect(failed.status).toBe('failed');
    expect(failed.notice).toContain('Nothing changed');
    expect(retried.status).toBe('done');
    expect(proxy.get().count('StopInstances').forwarded).toBe(1);
  });
});
