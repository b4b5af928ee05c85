/**
 * Spawns the real `lightsout` CLI (src/cli/main.ts through tsx) and collects
 * its output, so tests see exit codes, signals and logs as an operator would.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { createServer as createHttpServer, request as httpRequest } from 'node:http';
import { fileURLToPath } from 'node:url';
import { freePort } from './moto.js';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));

export interface CliRun {
  proc: ChildProcess;
  stdout: () => string;
  stderr: () => string;
  /** JSON log lines printed so far. */
  logs: () => Array<Record<string, unknown>>;
  /** Resolves with the first log line whose message matches. */
  waitForLog: (message: string, timeoutMs?: number) => Promise<Record<string, unknown>>;
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

export function spawnCli(args: string[], env: Record<string, string>): CliRun {
  let out = '';
  let err = '';
  const proc = spawn(process.execPath, ['--import', 'tsx', 'src/cli/main.ts', ...args], {
    cwd: ROOT,
    env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
    proc.once('exit', (code, signal) => resolve({ code, signal })),
  );
  proc.stdout?.on('data', (d: Buffer) => {
    out += d.toString();
  });
  proc.stderr?.on('data', (d: Buffer) => {
    err += d.toString();
  });
  const logs = () =>
    out
      .split('\n')
      .filter((l) => l.startsWith('{'))
      .map((l) => JSON.parse(l) as Record<string, unknown>);
  const waitForLog = async (message: string, timeoutMs = 20_000) => {
    const deadline = Date.now() + timeoutMs;
    while (Date.now() < deadline) {
      const hit = logs().find((l) => l.message === message);
      if (hit) return hit;
      if (proc.exitCode !== null) break;
      await new Promise((r) => setTimeout(r, 20));
    }
    throw new Error(`no "${message}" log line; stdout:\n${out}\nstderr:\n${err}`);
  };
  return { proc, stdout: () => out, stderr: () => err, logs, waitForLog, exited };
}

// One free-port finder for every harness; re-exported for the suites that import it from here.
export { freePort };

/** A loopback proxy to `target` that holds every request for `delayMs`, to make a pass slow enough to interrupt. */
export async function startSlowProxy(target: string, delayMs: number) {
  const upstream = new URL(target);
  const server = createHttpServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      setTimeout(() => {
        const fwd = httpRequest(
          {
            host: upstream.hostname,
            port: upstream.port,
            method: req.method,
            path: req.url,
            headers: req.headers,
          },
          (up) => {
            res.writeHead(up.statusCode ?? 502, up.headers);
            up.pipe(res);
          },
        );
        fwd.on('error', () => res.writeHead(502).end());
        fwd.end(Buffer.concat(chunks));
      }, delayMs);
    });
  });
  const port = await freePort();
  await new Promise<void>((resolve) => server.listen(port, '127.0.0.1', resolve));
  return {
    endpoint: `http://127.0.0.1:${port}`,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}
