/**
 * `lightsout report` over both stores: the single process's SQLite file and
 * the DynamoDB table on moto (TABLE_NAME). Table, JSON and CSV output, and
 * bad input answered with what works.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeEach, describe, expect, it } from 'vitest';
import { DynamoRunHistory } from '../../src/aws/dynamodb/runHistory.js';
import { runCli } from '../../src/cli/program.js';
import type { RunHistoryEntry } from '../../src/core/runHistory.js';
import type { RunHistory } from '../../src/ports/runHistory.js';
import { openDatabase } from '../../src/sqlite/database.js';
import { SqliteRunHistory } from '../../src/sqlite/runHistory.js';
import { createTable } from '../support/dynamoTable.js';
import { useMoto } from '../support/moto.js';

async function cli(args: string[], env: Record<string, string>) {
  const out: string[] = [];
  const err: string[] = [];
  const code = await runCli(args, {
    env,
    stdout: { write: (t: string) => void out.push(t) },
    stderr: { write: (t: string) => void err.push(t) },
  });
  return { code, stdout: out.join(''), stderr: err.join('') };
}

/** RFC 4180: quoted cells may hold commas, quotes (doubled) and line breaks. */
function parseCsv(text: string): string[][] {
  const rows: string[][] = [];
  let row: string[] = [];
  let cell = '';
  let quoted = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i]!;
    if (quoted) {
      if (c === '"' && text[i + 1] === '"') {
        cell += '"';
        i++;
      } else if (c === '"') quoted = false;
      else cell += c;
    } else if (c === '"') quoted = true;
    else if (c === ',') {
      row.push(cell);
      cell = '';
    } else if (c === '\n') {
      rows.push([...row, cell]);
      row = [];
      cell = '';
    } else cell += c;
  }
  return rows;
}

const H = 3600;
const UNTIL = '2026-11-23T00:00:00Z';

const entry = (instanceId: string, over: Partial<RunHistoryEntry>): RunHistoryEntry => ({
  region: 'us-east-1',
  instanceId,
  launchTime: '2026-11-18T08:00:00.000Z',
  stoppedAt: '2026-11-18T22:00:00.000Z',
  endedBy: 'outside',
  group: 'web',
  thresholdSeconds: 8 * H,
  runtimeSeconds: 14 * H,
  secondsBeyondThreshold: 6 * H,
  hourlyUsd: 4.1,
  ...over,
});

/** A week with one run 6 h over at $4.10/h, stopped from Slack, and one at an unknown price. */
async function seed(history: RunHistory) {
  await history.record(
    entry('i-0aaaaaaaaaaaaaaa1', {
      name: 'web-1',
      owner: 'ana@example.com',
      endedBy: 'actor',
      actor: { platform: 'slack', id: 'U1', name: 'ana' },
    }),
  );
  await history.record(
    entry('i-0bbbbbbbbbbbbbbb2', {
      group: 'db',
      stoppedAt: '2026-11-19T20:00:00.000Z',
      launchTime: '2026-11-19T08:00:00.000Z',
      runtimeSeconds: 12 * H,
      secondsBeyondThreshold: 4 * H,
      hourlyUsd: null,
    }),
  );
  // Before the window: left out.
  await history.record(
    entry('i-0ccccccccccccccc3', {
      stoppedAt: '2026-11-10T20:00:00.000Z',
      launchTime: '2026-11-10T08:00:00.000Z',
    }),
  );
}

describe('lightsout report', () => {
  const moto = useMoto();
  beforeEach(() => moto.reset());

  const stores: [
    string,
    () => Promise<{ history: RunHistory; env: Record<string, string>; reads: RegExp }>,
  ][] = [
    [
      'SQLite',
      async () => {
        const path = join(mkdtempSync(join(tmpdir(), 'lightsout-report-')), 'lightsout.db');
        return {
          history: new SqliteRunHistory(openDatabase(path)),
          env: { REGIONS: 'us-east-1', DB_PATH: path },
          reads: new RegExp(`reading state from ${path.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}`),
        };
      },
    ],
    [
      'DynamoDB',
      async () => {
        const { doc, tableName } = await createTable(moto);
        return {
          history: new DynamoRunHistory(doc, tableName),
          env: {
            REGIONS: 'us-east-1',
            TABLE_NAME: tableName,
            AWS_ENDPOINT_URL: moto.endpoint,
            AWS_ACCESS_KEY_ID: 'testing',
            AWS_SECRET_ACCESS_KEY: 'testing',
          },
          reads: /reading state from DynamoDB table lightsout in us-east-1/,
        };
      },
    ],
  ];

  describe.each(stores)('from %s', (_name, make) => {
    it('prints the digest as tables and says which state it reads', async () => {
      // Arrange
      const { history, env, reads } = await make();
      await seed(history);

      // Act
      const { code, stdout, stderr } = await cli(['report', '--since', '7d', '--until', UNTIL], env);

      // Assert
      expect(code).toBe(0);
      expect(stderr).toMatch(reads);
      expect(stdout).toContain('Lights Out digest, 2026-11-16 to 2026-11-23 (UTC), all groups');
      expect(stdout).toContain('Beyond threshold: 2 instances, 10.0 h, $24.60 + 4.0 h at unknown price');
      expect(stdout).toMatch(/web-1 \(i-0aaaaaaaaaaaaaaa1\)\s+web\s+ana@example\.com\s+6\.0 h\s+\$24\.60/);
      expect(stdout).toMatch(/i-0bbbbbbbbbbbbbbb2\s+db\s+-\s+4\.0 h\s+unknown price/);
      expect(stdout).toMatch(/slack:ana\s+24\.0 h\s+\$98\.40/);
      expect(stdout).not.toContain('i-0ccccccccccccccc3');
    });

    it('prints JSON that parses, with an unknown price as null', async () => {
      // Arrange
      const { history, env } = await make();
      await seed(history);

      // Act
      const { code, stdout } = await cli(['report', '--since', '7d', '--until', UNTIL, '--json'], env);

      // Assert
      expect(code).toBe(0);
      const digest = JSON.parse(stdout);
      expect(digest.overThreshold).toMatchObject([
        { instanceId: 'i-0aaaaaaaaaaaaaaa1', hoursBeyond: 6, cost: { usd: expect.closeTo(24.6, 6) } },
        { instanceId: 'i-0bbbbbbbbbbbbbbb2', hoursBeyond: 4, cost: { usd: null, unpricedHours: 4 } },
      ]);
      expect(digest.stops).toMatchObject([{ instanceId: 'i-0aaaaaaaaaaaaaaa1', avoidedHours: 24 }]);
      expect(digest.daily).toHaveLength(7);
    });

    it('prints CSV that parses, one row per instance, stop and day, for the groups asked', async () => {
      // Arrange
      const { history, env } = await make();
      await seed(history);

      // Act
      const { code, stdout } = await cli(
        ['report', '--since', '7d', '--until', UNTIL, '--csv', '--group', 'db'],
        env,
      );

      // Assert
      expect(code).toBe(0);
      const rows = parseCsv(stdout);
      expect(rows[0]).toEqual([
        'kind',
        'day',
        'region',
        'instance_id',
        'name',
        'group',
        'owner',
        'hours',
        'usd',
        'unpriced_hours',
        'stopped_at',
        'stopped_by',
        'consent',
        'reason',
      ]);
      const body = rows.slice(1);
      expect(body.every((r) => r.length === rows[0]!.length)).toBe(true);
      expect(body.filter((r) => r[0] === 'beyond-threshold').map((r) => [r[3], r[7], r[8], r[9]])).toEqual([
        ['i-0bbbbbbbbbbbbbbb2', '4.00', '', '4.00'],
      ]);
      expect(body.filter((r) => r[0] === 'stop')).toEqual([]);
      expect(body.filter((r) => r[0] === 'day')).toHaveLength(7);
    });
  });

  it('refuses a bad --since, --tz or --group and says what works', async () => {
    // Arrange
    const path = join(mkdtempSync(join(tmpdir(), 'lightsout-report-')), 'lightsout.db');
    openDatabase(path).close();
    const env = { REGIONS: 'us-east-1', DB_PATH: path };

    // Act
    const since = await cli(['report', '--since', 'last week'], env);
    const tz = await cli(['report', '--tz', 'Mars/Olympus'], env);
    const group = await cli(['report', '--group', 'Web!'], env);

    // Assert
    expect(since).toMatchObject({
      code: 2,
      stderr: expect.stringContaining('--since must be a duration back from --until, such as 7d'),
    });
    expect(tz).toMatchObject({
      code: 2,
      stderr: expect.stringContaining('--tz must be an IANA time zone such as Europe/Berlin'),
    });
    expect(group).toMatchObject({
      code: 2,
      stderr: expect.stringContaining('--group must be lower-case letters and digits'),
    });
  });

  it('says there is no state file rather than report an empty week', async () => {
    // Arrange
    const path = join(mkdtempSync(join(tmpdir(), 'lightsout-report-')), 'missing.db');

    // Act
    const { code, stderr } = await cli(['report'], { REGIONS: 'us-east-1', DB_PATH: path });

    // Assert
    expect(code).toBe(2);
    expect(stderr).toContain(
      `No state file at ${path}: the report reads the run history the bot keeps there`,
    );
  });
});
