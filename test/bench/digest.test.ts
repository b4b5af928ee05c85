/** The digest bench, small: its figures are the ones it prints at 10,000 instances, so they must mean what they say. */
import { describe, expect, it } from 'vitest';
import { dynamoDigest, sqliteDigest, syntheticRuns } from '../../bench/digest.js';

describe('digest bench (smoke)', () => {
  it('builds the weekly and 90-day digests from SQLite over every run it loaded', async () => {
    // 30 instances, 14 days: 10 working days of one run each.
    const f = await sqliteDigest(30, 14);

    expect(f.runs).toBe(300);
    expect(f.quarter.runsRead).toBe(300);
    expect(f.week.runsRead).toBe(150);
    expect(f.week.overThreshold).toBeGreaterThan(0);
  });

  it('reads DynamoDB with one Query per day partition and no Scan', async () => {
    const f = await dynamoDigest(10, 14);

    expect(f.items).toBe([...syntheticRuns(10, 14)].length);
    // Weekly: 7 days plus the day after (next starts); 14 days: 15 partitions.
    expect(f.weekQueries).toBe(8);
    expect(f.quarterQueries).toBe(15);
    expect(f.scans).toBe(0);
  });
});
