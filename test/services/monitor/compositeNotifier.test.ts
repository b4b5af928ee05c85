import { describe, expect, it } from 'vitest';
import type { NagNotification } from '../../../src/core/notification.js';
import { silentLog } from '../../../src/log.js';
import type { Notifier } from '../../../src/ports/notifier.js';
import { CompositeNotifier } from '../../../src/services/monitor/compositeNotifier.js';
import { LogNotifier } from '../../../src/wiring/logNotifier.js';

const nag: NagNotification = {
  kind: 'nag',
  instanceId: 'i-0123456789abcdef0',
  region: 'us-east-1',
  group: 'dev',
  launchTime: '2026-01-01T00:00:00.000Z',
  runtimeSeconds: 7200,
  thresholdSeconds: 3600,
  nagCount: 1,
  warnings: [],
  consoleUrl: 'https://console.aws.amazon.com/ec2',
  dueAt: '2026-01-01T01:00:00.000Z',
};

/** A chat notifier whose platform is down. */
const down: Notifier = {
  async notify() {
    throw new Error('chat unreachable');
  },
};

function withReceipts() {
  const took: string[] = [];
  const up: Notifier = {
    async notify(n) {
      took.push(n.instanceId);
    },
  };
  return { took, up };
}

describe('CompositeNotifier', () => {
  it('does not count a nag only the log took as delivered when a delivering notifier failed', async () => {
    const composite = new CompositeNotifier([
      { name: 'log', notifier: new LogNotifier(silentLog), delivers: false },
      { name: 'chat', notifier: down, delivers: true },
    ]);
    await expect(composite.notify(nag)).rejects.toThrow(/not delivered: chat: chat unreachable/);
  });

  it('counts it delivered once any delivering notifier took it', async () => {
    const { took, up } = withReceipts();
    const composite = new CompositeNotifier([
      { name: 'log', notifier: new LogNotifier(silentLog), delivers: false },
      { name: 'chat', notifier: down, delivers: true },
      { name: 'sns', notifier: up, delivers: true },
    ]);
    await expect(composite.notify(nag)).resolves.toBeUndefined();
    expect(took).toEqual([nag.instanceId]);
  });

  it('lets the log decide only when it is the sole notifier', async () => {
    const composite = new CompositeNotifier([
      { name: 'log', notifier: new LogNotifier(silentLog), delivers: false },
    ]);
    await expect(composite.notify(nag)).resolves.toBeUndefined();
  });
});
