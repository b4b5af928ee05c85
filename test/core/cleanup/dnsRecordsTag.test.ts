import { describe, expect, it } from 'vitest';
import { parseDnsRecordsTag } from '../../../src/core/cleanup/dnsRecordsTag.js';

describe('parseDnsRecordsTag', () => {
  it('parses several entries and normalizes zone ids and names', () => {
    const parsed = parseDnsRecordsTag('Z0123ABC:Web-1.Internal, /hostedzone/Z0456DEF:web-1.example.com.');

    expect(parsed.warnings).toEqual([]);
    expect(parsed.refs).toEqual([
      { zoneId: 'Z0123ABC', name: 'web-1.internal.' },
      { zoneId: 'Z0456DEF', name: 'web-1.example.com.' },
    ]);
  });

  it('keeps good entries and warns about bad ones, naming the entry and the expected form', () => {
    const parsed = parseDnsRecordsTag(
      'web-1.internal,Z0123ABC:ok.internal,no-pe:x.internal,Z0123ABC:bad..name',
    );

    expect(parsed.refs).toEqual([{ zoneId: 'Z0123ABC', name: 'ok.internal.' }]);
    expect(parsed.warnings).toHaveLength(3);
    expect(parsed.warnings[0]).toContain('"web-1.internal" is not zoneId:name');
    expect(parsed.warnings[1]).toContain('"no-pe" is not a hosted zone id');
    expect(parsed.warnings[2]).toContain('"bad..name" is not a DNS name');
  });

  it('yields nothing for an absent or blank tag and drops duplicates', () => {
    expect(parseDnsRecordsTag(undefined)).toEqual({ refs: [], warnings: [] });
    expect(parseDnsRecordsTag('  ')).toEqual({ refs: [], warnings: [] });
    expect(parseDnsRecordsTag('Z1:a.internal,Z1:A.internal.').refs).toHaveLength(1);
  });
});
