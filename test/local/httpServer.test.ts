/**
 * The single process's HTTP server at shutdown: once it stops accepting, the
 * listener is closed and a request arriving on a connection that was already
 * open (a keep-alive connection busy with an earlier request) is answered 503
 * with Retry-After instead of reaching a chat route, while the request in
 * flight still gets its answer. Driven over a raw socket so the second
 * request provably travels on the same, already open connection.
 */
import { connect } from 'node:net';
import { describe, expect, it } from 'vitest';
import { LocalHttpServer } from '../../src/local/httpServer.js';
import { createLogger } from '../../src/log.js';

const request = (path: string) => `POST ${path} HTTP/1.1\r\nHost: localhost\r\nContent-Length: 0\r\n\r\n`;

describe('LocalHttpServer at shutdown', () => {
  it('answers the request in flight, refuses new connections, and tells a request on an open one to retry', async () => {
    // Arrange: a route that answers only when the test lets it.
    const http = new LocalHttpServer(createLogger('test', 'ERROR'));
    let release!: () => void;
    const released = new Promise<void>((resolve) => {
      release = resolve;
    });
    let reached = 0;
    let entered!: () => void;
    const inRoute = new Promise<void>((resolve) => {
      entered = resolve;
    });
    http.mount('/slack/events', async (_req, res) => {
      reached++;
      entered();
      await released;
      res.writeHead(200).end('ok');
    });
    const port = await http.listen(0, '127.0.0.1');
    const socket = connect(port, '127.0.0.1');
    let received = '';
    socket.on('data', (chunk) => {
      received += chunk.toString();
    });
    const closed = new Promise<void>((resolve) => socket.on('close', () => resolve()));
    socket.write(request('/slack/events'));
    await inRoute;

    // Act: shutdown begins; a second request follows on the same connection, and one tries a new one.
    http.stopAccepting();
    socket.write(request('/slack/events'));
    const fresh = await fetch(`http://127.0.0.1:${port}/healthz`).then(
      (r) => r.status,
      () => 'refused',
    );
    release();
    await closed;
    await http.close();

    // Assert
    const answers = received.split(/(?=HTTP\/1\.1 )/);
    expect(answers).toHaveLength(2);
    expect(answers[0]).toMatch(/^HTTP\/1\.1 200 /);
    expect(answers[1]).toMatch(/^HTTP\/1\.1 503 /);
    expect(answers[1]).toMatch(/\r\nretry-after: 5\r\n/i);
    expect(reached).toBe(1);
    expect(fresh).toBe('refused');
  });
});
