import { describe, expect, it } from 'vitest';
import { cleanupSummary, worthReporting } from '../../../src/core/cleanup/cleanupReport.js';
import { parseCloudMapServices } from '../../../src/core/cleanup/cloudMapServiceTag.js';

describe('cleanupSummary', () => {
  it('joins changed and failed outcomes into one chat line', () => {
    const outcomes = [
      { hook: 'route53' as const, ok: true, changed: true, summary: 'removed web-1.internal A' },
      { hook: 'cloudmap' as const, ok: true, changed: false, summary: 'not registered in srv-9' },
      { hook: 'cloudmap' as const, ok: true, changed: true, summary: 'deregistered from srv-123' },
      { hook: 'webhook' as const, ok: false, changed: false, summary: 'webhook failed: HTTP 500' },
    ];

    expect(cleanupSummary({ instanceId: 'i-0abc', name: 'web-1' }, outcomes)).toBe(
      'i-0abc (web-1) terminated · removed web-1.internal A · deregistered from srv-123 · webhook failed: HTTP 500',
    );
    expect(worthReporting(outcomes)).toBe(true);
  });

  it('says when there was nothing to do, and is not worth a chat message', () => {
    const outcomes = [
      { hook: 'cloudmap' as const, ok: true, changed: false, summary: 'not registered in srv-9' },
    ];

    expect(cleanupSummary({ instanceId: 'i-0abc' }, outcomes)).toBe(
      'i-0abc terminated · nothing to clean up',
    );
    expect(worthReporting(outcomes)).toBe(false);
  });
});

describe('parseCloudMapServices', () => {
  it('reads ids with optional regions and warns about bad entries', () => {
    const parsed = parseCloudMapServices('srv-abc, srv-def@eu-west-1 svc-x srv-g@mars', 'us-east-1');

    expect(parsed.refs).toEqual([
      { serviceId: 'srv-abc', region: 'us-east-1' },
      { serviceId: 'srv-def', region: 'eu-west-1' },
    ]);
    expect(parsed.warnings).toEqual([
      expect.stringContaining('"svc-x" is not a Cloud Map service id'),
      expect.stringContaining('"mars" is not an AWS region'),
    ]);
  });
});
