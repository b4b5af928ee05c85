import { describe, expect, it } from 'vitest';
import { slackTimestampProblem } from '../../../src/chat/slack/requestTimestamp.js';

const NOW = Date.parse('2026-12-01T12:00:00Z');
const at = (offsetSeconds: number) => String(NOW / 1000 + offsetSeconds);

describe('Slack request timestamp window', () => {
  it.each([
    ['now', at(0), undefined],
    ['five minutes ahead', at(300), undefined],
    ['five minutes old', at(-300), undefined],
    ['six minutes ahead', at(360), 'timestamp is in the future'],
    ['a year ahead', at(31_536_000), 'timestamp is in the future'],
    ['six minutes old', at(-360), 'timestamp is older than five minutes'],
    ['missing', undefined, 'missing or malformed timestamp'],
    ['not a number', '12e9', 'missing or malformed timestamp'],
    ['huge', '9'.repeat(40), 'missing or malformed timestamp'],
  ])('%s → %s', (_case, header, problem) => {
    expect(slackTimestampProblem(header, NOW)).toBe(problem);
  });
});
