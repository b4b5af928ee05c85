import { describe, expect, it } from 'vitest';
import type { DomainEvent } from '../../../src/core/events.js';
import type { InstanceRecord } from '../../../src/core/instance.js';
import { InProcessEventBus } from '../../../src/services/monitor/eventBus.js';

const event: DomainEvent = {
  type: 'instance.stopped',
  record: { region: 'eu-west-1', instanceId: 'i-1' } as InstanceRecord,
  runtimeSeconds: 60,
  at: '2026-03-02T08:00:00Z',
};

describe('InProcessEventBus', () => {
  it('delivers to every listener even when one fails, and logs the failure', async () => {
    const errors: string[] = [];
    const bus = new InProcessEventBus({
      debug() {},
      info() {},
      warn() {},
      error: (m) => errors.push(String(m)),
    });
    const received: string[] = [];
    bus.subscribe(async () => {
      throw new Error('chat down');
    });
    bus.subscribe(async (e) => {
      received.push(e.type);
    });

    await bus.publish(event);

    expect(received).toEqual(['instance.stopped']);
    expect(errors).toEqual(['domain event listener failed']);
  });

  it('stops delivering after unsubscribe', async () => {
    const bus = new InProcessEventBus();
    const received: string[] = [];
    const unsubscribe = bus.subscribe(async (e) => {
      received.push(e.type);
    });

    unsubscribe();
    await bus.publish(event);

    expect(received).toEqual([]);
  });
});
