import { describe, expect, it } from 'vitest';
import { reconcileCloudMap } from '../../src/core/cloudMapReconcile.js';

const ip = (v: string) => ({ AWS_INSTANCE_IPV4: v });
const regions = ['us-east-1', 'eu-west-1'];

describe('reconcileCloudMap', () => {
  it('keeps matches, deregisters gone instances and IP mismatches, skips registrations without an IPv4', () => {
    const diff = reconcileCloudMap({
      serviceId: 'srv-1',
      regions,
      registered: [
        { id: 'i-0000000000000000a', attributes: ip('10.0.0.1') },
        { id: 'i-0000000000000000b', attributes: ip('54.0.0.2') },
        { id: 'i-0000000000000000c', attributes: ip('10.0.0.99') },
        { id: 'i-0000000000000000d', attributes: ip('10.0.0.4') },
        { id: 'i-0000000000000000e', attributes: { AWS_INSTANCE_PORT: '80' } },
        { id: 'task-1', attributes: ip('10.0.0.7') },
      ],
      running: [
        { instanceId: 'i-0000000000000000a', region: 'us-east-1', privateIp: '10.0.0.1' },
        {
          instanceId: 'i-0000000000000000b',
          region: 'eu-west-1',
          privateIp: '10.1.0.2',
          publicIp: '54.0.0.2',
        },
        { instanceId: 'i-0000000000000000c', region: 'us-east-1', privateIp: '10.0.0.3' },
      ],
    });

    expect(diff.guardWarning).toBeUndefined();
    expect(diff.decisions.map((d) => [d.instanceId, d.action])).toEqual([
      ['i-0000000000000000a', 'keep'],
      ['i-0000000000000000b', 'keep'],
      ['i-0000000000000000c', 'deregister'],
      ['i-0000000000000000d', 'deregister'],
      ['i-0000000000000000e', 'skip'],
      ['task-1', 'deregister'],
    ]);
    expect(diff.toDeregister).toEqual(['i-0000000000000000c', 'i-0000000000000000d', 'task-1']);
    expect(diff.decisions[2]?.reason).toContain('registered with 10.0.0.99, but the running instance');
    expect(diff.decisions[3]?.reason).toContain('is not running in us-east-1, eu-west-1');
    expect(diff.decisions[4]?.reason).toContain('has no AWS_INSTANCE_IPV4');
  });

  it('changes nothing when every registration would go, and warns', () => {
    const diff = reconcileCloudMap({
      serviceId: 'srv-1',
      regions,
      registered: [
        { id: 'i-0000000000000000a', attributes: ip('10.0.0.1') },
        { id: 'i-0000000000000000b', attributes: ip('10.0.0.2') },
      ],
      running: [],
    });

    expect(diff.toDeregister).toEqual([]);
    expect(diff.guardWarning).toContain('would leave srv-1 with no instances; changed nothing');
    expect(diff.decisions.every((d) => d.action === 'keep' && d.reason.includes('empty-service guard'))).toBe(
      true,
    );
  });

  it('counts skipped registrations as remaining, so the guard does not hold', () => {
    const diff = reconcileCloudMap({
      serviceId: 'srv-1',
      regions,
      registered: [
        { id: 'i-0000000000000000a', attributes: ip('10.0.0.1') },
        { id: 'i-0000000000000000e', attributes: {} },
      ],
      running: [],
    });

    expect(diff.toDeregister).toEqual(['i-0000000000000000a']);
  });
});
