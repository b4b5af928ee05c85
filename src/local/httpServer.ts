/**
 * The single process's one HTTP server, shared by every chat platform so
 * Slack (`/slack/events`) and Teams (`/api/messages`) answer on the same PORT.
 * Platforms mount a node:http listener on an exact path; `/healthz` answers
 * for load balancers and container health checks: 200 when ready, 503 when
 * not, with the last sweep and the outbox backlog as JSON (src/core/health.ts).
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Log } from '../log.js';

/** What a request arriving during shutdown is told to wait: about a restart's time. */
const RETRY_AFTER_SECONDS = 5;

export type HttpListener = (req: IncomingMessage, res: ServerResponse) => void | Promise<void>;

export class LocalHttpServer {
  private readonly routes = new Map<string, HttpListener>();
  private server?: Server;
  /** What `/healthz` reports; without it, `/healthz` answers a plain `ok`. */
  private health?: () => Promise<{ ready: boolean }>;
  /** Set at shutdown: requests still arriving on open connections get 503 and Retry-After. */
  private refusing = false;

  constructor(private readonly log: Log) {}

  /** Routes requests for exactly `path` (query string ignored) to `listener`. */
  mount(path: string, listener: HttpListener): void {
    if (this.routes.has(path)) throw new Error(`HTTP path ${path} is already mounted`);
    this.routes.set(path, listener);
  }

  /** `/healthz` answers 200 (ready) or 503 with this report as JSON. */
  setHealth(report: () => Promise<{ ready: boolean }>): void {
    this.health = report;
  }

  get mounted(): string[] {
    return [...this.routes.keys()];
  }

  /** Starts listening; resolves with the bound port (useful when `port` is 0). */
  async listen(port: number, host = '0.0.0.0'): Promise<number> {
    const server = createServer((req, res) => {
      if (this.refusing) {
        // Slack retries only Events API deliveries: a click or slash command refused here shows the
        // person an error (as Teams does), and they try again once the process is back.
        res
          .writeHead(503, { 'retry-after': String(RETRY_AFTER_SECONDS), connection: 'close' })
          .end('shutting down');
        return;
      }
      const path = (req.url ?? '/').split('?')[0]!;
      const route = this.routes.get(path);
      if (route) {
        Promise.resolve(route(req, res)).catch((err: unknown) => {
          this.log.error('HTTP handler failed', { path, error: String(err) });
          if (!res.headersSent) res.writeHead(500).end();
        });
        return;
      }
      if (path === '/healthz') {
        const health = this.health;
        if (!health) {
          res.writeHead(200, { 'content-type': 'text/plain' }).end('ok');
          return;
        }
        health().then(
          (report) =>
            res
              .writeHead(report.ready ? 200 : 503, { 'content-type': 'application/json' })
              .end(JSON.stringify(report)),
          (err: unknown) =>
            res
              .writeHead(503, { 'content-type': 'application/json' })
              .end(JSON.stringify({ ready: false, reasons: [`health check failed: ${String(err)}`] })),
        );
        return;
      }
      res
        .writeHead(404, { 'content-type': 'text/plain' })
        .end(`not found; this server answers ${this.mounted.join(', ')}`);
    });
    this.server = server;
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(port, host, () => resolve());
    });
    const bound = (server.address() as AddressInfo).port;
    this.log.info('HTTP server listening', { port: bound, paths: this.mounted });
    return bound;
  }

  /**
   * Shutdown's first step: no new connections (the listener closes), and a
   * request on a connection already open is answered 503 with Retry-After,
   * so nothing new joins the chat work shutdown waits for. Requests already
   * being answered finish.
   */
  stopAccepting(): void {
    const server = this.server;
    if (!server || this.refusing) return;
    this.refusing = true;
    server.close();
    server.closeIdleConnections?.();
  }

  async close(): Promise<void> {
    const server = this.server;
    if (!server) return;
    server.closeAllConnections?.();
    await new Promise<void>((resolve) => {
      if (!server.listening) return resolve();
      server.close(() => resolve());
    });
  }
}
