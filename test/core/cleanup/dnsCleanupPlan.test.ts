import { describe, expect, it } from 'vitest';
import {
  type DnsRecordSet,
  describeChange,
  planZoneCleanup,
} from '../../../src/core/cleanup/dnsCleanupPlan.js';

const instance = { instanceId: 'i-0abc1234', privateIp: '10.0.0.5', publicIp: '54.1.2.3' };
const a = (name: string, values: string[], extra: Partial<DnsRecordSet> = {}): DnsRecordSet => ({
  name,
  type: 'A',
  ttl: 300,
  values,
  alias: false,
  ...extra,
});

describe('planZoneCleanup', () => {
  it('deletes A records in a scanned zone whose only value is the private or public IP', () => {
    const plan = planZoneCleanup({
      zoneId: 'Z1',
      instance,
      taggedNames: [],
      scanByIp: true,
      records: [
        a('web-1.internal.', ['10.0.0.5']),
        a('pub.example.', ['54.1.2.3']),
        a('other.internal.', ['10.0.0.9']),
      ],
    });

    expect(plan.changes.map((c) => describeChange(c))).toEqual([
      'removed web-1.internal A',
      'removed pub.example A',
    ]);
    expect(plan.changes[0]?.reason).toContain('points only at i-0abc1234 (10.0.0.5)');
  });

  it('removes only this instance value from a record shared with another host', () => {
    const plan = planZoneCleanup({
      zoneId: 'Z1',
      instance,
      taggedNames: [],
      scanByIp: true,
      records: [a('web.internal.', ['10.0.0.5', '10.0.0.6'])],
    });

    expect(plan.changes).toHaveLength(1);
    const change = plan.changes[0];
    expect(change?.kind).toBe('remove-value');
    if (change?.kind !== 'remove-value') throw new Error('expected remove-value');
    expect(change.after.values).toEqual(['10.0.0.6']);
    expect(change.removed).toEqual(['10.0.0.5']);
    expect(change.reason).toContain('still serves 10.0.0.6');
  });

  it('leaves IP matches alone in zones that are only named by the tag for other names', () => {
    const plan = planZoneCleanup({
      zoneId: 'Z1',
      instance,
      taggedNames: ['web-1.internal'],
      scanByIp: false,
      records: [a('web-1.internal.', ['10.0.0.5']), a('stray.internal.', ['10.0.0.5'])],
    });

    expect(plan.changes.map((c) => describeChange(c))).toEqual(['removed web-1.internal A']);
  });

  it('keeps a tagged A record that points at another host, and says why', () => {
    const plan = planZoneCleanup({
      zoneId: 'Z1',
      instance,
      taggedNames: ['web-1.internal.'],
      scanByIp: false,
      records: [a('web-1.internal.', ['10.0.0.9'])],
    });

    expect(plan.changes).toEqual([]);
    expect(plan.kept[0]?.reason).toContain('points at 10.0.0.9, not at i-0abc1234');
  });

  it('keeps tagged A records when the instance IPs are unknown', () => {
    const plan = planZoneCleanup({
      zoneId: 'Z1',
      instance: { instanceId: 'i-0abc1234' },
      taggedNames: ['web-1.internal.'],
      scanByIp: true,
      records: [a('web-1.internal.', ['10.0.0.5'])],
    });

    expect(plan.changes).toEqual([]);
    expect(plan.kept[0]?.reason).toContain('IPs are unknown');
  });

  it('deletes a tagged CNAME, keeps tagged aliases and other types, and notes tagged names already gone', () => {
    const plan = planZoneCleanup({
      zoneId: 'Z1',
      instance,
      taggedNames: ['w.internal.', 'lb.internal.', 'txt.internal.', 'gone.internal.'],
      scanByIp: false,
      records: [
        { name: 'w.internal.', type: 'CNAME', ttl: 60, values: ['ip-10-0-0-5.ec2.internal'], alias: false },
        { name: 'lb.internal.', type: 'A', values: [], alias: true, routing: { AliasTarget: {} } },
        { name: 'txt.internal.', type: 'TXT', ttl: 60, values: ['"v=1"'], alias: false },
      ],
    });

    expect(plan.changes.map((c) => describeChange(c))).toEqual(['removed w.internal CNAME']);
    expect(plan.kept.map((k) => k.reason)).toEqual([
      expect.stringContaining('is an alias'),
      expect.stringContaining('only A, AAAA and CNAME'),
      expect.stringContaining('gone.internal is not in zone Z1 (already removed)'),
    ]);
  });

  it("treats an IP now held by another host as that host's, never removing it", () => {
    const plan = planZoneCleanup({
      zoneId: 'Z1',
      instance,
      taggedNames: ['web-1.internal.'],
      scanByIp: true,
      ipsInUse: { '10.0.0.5': 'i-0new (running)' },
      records: [a('web-1.internal.', ['10.0.0.5']), a('pool.internal.', ['10.0.0.5', '54.1.2.3'])],
    });

    expect(plan.changes.map((c) => describeChange(c))).toEqual(['removed 54.1.2.3 from pool.internal A']);
    expect(plan.kept[0]?.reason).toBe(
      'web-1.internal A points at 10.0.0.5, now held by i-0new (running); left alone',
    );
  });
});
