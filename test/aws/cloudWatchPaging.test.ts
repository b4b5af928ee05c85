/**
 * GetMetricData paging (NextToken) in CloudWatchMetrics. moto answers every
 * query in one page, so this peer is a loopback server in CloudWatch's wire
 * format as the SDK in the lockfile speaks it: AWS JSON 1.0
 * (`Content-Type: application/x-amz-json-1.0`, `X-Amz-Target:
 * GraniteServiceVersion20100801.<Operation>`), timestamps as epoch seconds.
 * It splits one query's data points over two pages, as CloudWatch does when
 * a response would pass its data-point limit, and keeps every request.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { CloudWatchClient } from '@aws-sdk/client-cloudwatch';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CloudWatchMetrics } from '../../src/aws/cloudWatchMetrics.js';
import { MINUTE } from '../../src/core/duration.js';
import { TransientError } from '../../src/core/errors.js';

interface Seen {
  target: string;
  contentType: string;
  body: { NextToken?: string; MetricDataQueries?: { Id: string }[] };
}

const NOW = new Date('2026-12-02T12:00:00Z');
const at = (minutesAgo: number) => NOW.getTime() / 1000 - minutesAgo * 60;

/** Pages keyed by the NextToken that asks for them ('' for the first). */
const PAGES: Record<string, unknown> = {
  '': {
    MetricDataResults: [
      { Id: 'q0', Label: 'cpu', StatusCode: 'PartialData', Timestamps: [at(25), at(20)], Values: [1.5, 2.5] },
      {
        Id: 'q1',
        Label: 'in',
        StatusCode: 'Complete',
        Timestamps: [at(25), at(20), at(15)],
        Values: [10, 20, 30],
      },
    ],
    NextToken: 'page-2',
  },
  'page-2': {
    MetricDataResults: [
      { Id: 'q0', Label: 'cpu', StatusCode: 'Complete', Timestamps: [at(15), at(10)], Values: [3.5, 4.5] },
      { Id: 'q2', Label: 'out', StatusCode: 'Complete', Timestamps: [at(25)], Values: [7] },
    ],
  },
};

describe('CloudWatchMetrics follows GetMetricData NextToken (loopback CloudWatch, AWS JSON 1.0)', () => {
  const seen: Seen[] = [];
  let server: Server;
  let endpoint: string;

  beforeAll(async () => {
    server = createServer((req, res) => {
      let raw = '';
      req.on('data', (c: Buffer) => (raw += c.toString('utf8')));
      req.on('end', () => {
        const target = String(req.headers['x-amz-target'] ?? '');
        const body = JSON.parse(raw || '{}') as Seen['body'];
        seen.push({ target, contentType: String(req.headers['content-type'] ?? ''), body });
        const answer = (status: number, json: unknown) => {
          res.writeHead(status, { 'content-type': 'application/x-amz-json-1.0' });
          res.end(JSON.stringify(json));
        };
        if (target.endsWith('.ListMetrics')) return answer(200, { Metrics: [] });
        const page = target.endsWith('.GetMetricData') ? PAGES[body.NextToken ?? ''] : undefined;
        if (page) return answer(200, page);
        answer(400, {
          __type: 'com.amazonaws.cloudwatch#InvalidNextToken',
          message: 'Request parameter NextToken is invalid',
        });
      });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    endpoint = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(async () => {
    await new Promise((resolve) => server.close(resolve));
  });

  const metrics = () =>
    new CloudWatchMetrics(
      (region) =>
        new CloudWatchClient({
          region,
          endpoint,
          maxAttempts: 1,
          credentials: { accessKeyId: 'testing', secretAccessKey: 'testing' },
        }),
    );

  it('reads every page with the same queries and joins each series in time order', async () => {
    // Arrange
    seen.length = 0;
    const reader = metrics();

    // Act
    const read = await reader.read('us-east-1', [{ instanceId: 'i-0123456789abcdef0' }], {
      windowSeconds: 30 * MINUTE,
      now: NOW,
    });

    // Assert
    const calls = seen.filter((s) => s.target === 'GraniteServiceVersion20100801.GetMetricData');
    expect(calls.map((c) => c.body.NextToken)).toEqual([undefined, 'page-2']);
    expect(calls[1]!.body.MetricDataQueries).toEqual(calls[0]!.body.MetricDataQueries);
    expect(calls[0]!.contentType).toBe('application/x-amz-json-1.0');
    const series = read.get('i-0123456789abcdef0')!;
    expect(series.cpu.map((p) => p.value)).toEqual([1.5, 2.5, 3.5, 4.5]);
    expect(series.cpu[0]!.at).toBe('2026-12-02T11:35:00.000Z');
    expect(series.networkIn.map((p) => p.value)).toEqual([10, 20, 30]);
    expect(series.networkOut.map((p) => p.value)).toEqual([7]);
    expect(reader.stats).toMatchObject({ getMetricDataCalls: 2, queries: 3 });
  });

  it('a NextToken CloudWatch refuses is an error with the service error kept as cause, not a short read', async () => {
    // Arrange: the first page points at a token this server does not know.
    seen.length = 0;
    const original = PAGES[''];
    PAGES[''] = { ...(original as object), NextToken: 'expired' };

    // Act
    const read = metrics()
      .read('us-east-1', [{ instanceId: 'i-0123456789abcdef0' }], { windowSeconds: 30 * MINUTE, now: NOW })
      .finally(() => {
        PAGES[''] = original;
      });

    // Assert
    const err = await read.catch((e: unknown) => e);
    expect(err).toBeInstanceOf(Error);
    expect(err).not.toBeInstanceOf(TransientError);
    expect(String(err)).toContain('GetMetricData');
    expect((err as Error).cause).toMatchObject({ name: 'InvalidNextToken' });
  });
});
