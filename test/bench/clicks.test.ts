/**
 * `npm run bench -- clicks` at a tiny size: it runs end to end in both
 * runtimes and prints a line per scenario with the figures the issue asks
 * for. The figures themselves are the bench's business, never a test's.
 */
import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';

const RUN = join(import.meta.dirname, '../../bench/run.ts');

describe('npm run bench -- clicks', () => {
  it('runs with three clicks and a one-second hang and prints every figure', {
    timeout: 300_000,
  }, async () => {
    // Act
    const { stdout } = await promisify(execFile)(
      process.execPath,
      ['--import', 'tsx', RUN, 'clicks', '--instances=3', '--hang-seconds=1'],
      { timeout: 280_000 },
    );

    // Assert: both runtimes, three scenarios each, every figure named.
    const lines = stdout.split('\n').filter((l) => l.includes('clicks 3 ·'));
    expect(stdout).toContain('single process (SQLite)');
    expect(stdout).toContain('Lambda handler (DynamoDB)');
    expect(lines).toHaveLength(6);
    for (const line of lines) {
      expect(line).toMatch(/ack p50 \d+ ms p99 \d+ ms/);
      expect(line).toMatch(/unanswered \d+/);
      expect(line).toMatch(/StopInstances\/instance (\d+×\d+ ?)+/);
      expect(line).toMatch(/updated/);
    }
  });
});
