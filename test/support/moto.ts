/**
 * Starts moto's standalone server on a free loopback port for one test file
 * and points the AWS SDK at it through the standard AWS_ENDPOINT_URL setting,
 * so production code runs unchanged. Call `reset()` between tests.
 *
 *   const moto = useMoto();            // in a describe block or file scope
 *   beforeEach(() => moto.reset());
 *   new EC2Client(moto.clientConfig)
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { createServer } from 'node:net';
import { afterAll, beforeAll } from 'vitest';

export interface MotoServer {
  endpoint: string;
  /** Region-less base config for SDK clients in tests. */
  clientConfig: {
    endpoint: string;
    region: string;
    credentials: { accessKeyId: string; secretAccessKey: string };
  };
  reset(): Promise<void>;
  /** moto's internal view, e.g. `(await data()).sns.Topic` or published messages. */
  data(): Promise<Record<string, unknown>>;
}

/** A port nothing listens on right now, on loopback. */
export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const addr = srv.address();
      const port = typeof addr === 'object' && addr ? addr.port : 0;
      srv.close(() => resolve(port));
    });
  });
}

async function waitUntilUp(endpoint: string, proc: ChildProcess, stderr: () => string): Promise<void> {
  const deadline = Date.now() + 30_000;
  while (Date.now() < deadline) {
    if (proc.exitCode !== null) throw new Error(`moto_server exited early (${proc.exitCode}): ${stderr()}`);
    try {
      const res = await fetch(`${endpoint}/moto-api/`);
      if (res.ok || res.status === 404) return;
    } catch {
      // not listening yet
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`moto_server did not start within 30s: ${stderr()}`);
}

export async function startMoto(): Promise<MotoServer & { stop(): Promise<void> }> {
  const port = await freePort();
  const endpoint = `http://127.0.0.1:${port}`;
  let errText = '';
  const proc = spawn('moto_server', ['-H', '127.0.0.1', '-p', String(port)], {
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  proc.on('error', (e) => {
    errText += `\n${e.message} (install it with: pip install "moto[server]")`;
  });
  proc.stderr?.on('data', (d: Buffer) => {
    errText = (errText + d.toString()).slice(-4000);
  });
  await waitUntilUp(endpoint, proc, () => errText);
  return {
    endpoint,
    clientConfig: {
      endpoint,
      region: 'us-east-1',
      credentials: { accessKeyId: 'testing', secretAccessKey: 'testing' },
    },
    async reset() {
      const res = await fetch(`${endpoint}/moto-api/reset`, { method: 'POST' });
      if (!res.ok) throw new Error(`moto reset failed: ${res.status}`);
    },
    async data() {
      const res = await fetch(`${endpoint}/moto-api/data.json`);
      return (await res.json()) as Record<string, unknown>;
    },
    async stop() {
      if (proc.exitCode !== null) return;
      const exited = new Promise((r) => proc.once('exit', r));
      proc.kill('SIGTERM');
      await Promise.race([exited, new Promise((r) => setTimeout(r, 3000))]);
      if (proc.exitCode === null) proc.kill('SIGKILL');
    },
  };
}

/**
 * Test-file helper: starts moto before the file's tests and stops it after.
 * Also sets AWS_ENDPOINT_URL and dummy credentials for code that builds its
 * own SDK clients (Lambda handlers, the CLI) the way production does.
 */
export function useMoto(): MotoServer {
  let server: Awaited<ReturnType<typeof startMoto>> | undefined;
  const saved: Record<string, string | undefined> = {};
  const vars = ['AWS_ENDPOINT_URL', 'AWS_ACCESS_KEY_ID', 'AWS_SECRET_ACCESS_KEY', 'AWS_REGION'];
  beforeAll(async () => {
    server = await startMoto();
    for (const v of vars) saved[v] = process.env[v];
    process.env.AWS_ENDPOINT_URL = server.endpoint;
    process.env.AWS_ACCESS_KEY_ID = 'testing';
    process.env.AWS_SECRET_ACCESS_KEY = 'testing';
    process.env.AWS_REGION = process.env.AWS_REGION ?? 'us-east-1';
  });
  afterAll(async () => {
    for (const v of vars) {
      if (saved[v] === undefined) delete process.env[v];
      else process.env[v] = saved[v];
    }
    await server?.stop();
  });
  const get = () => {
    if (!server) throw new Error('useMoto(): server not started yet (use it inside tests/hooks)');
    return server;
  };
  return {
    get endpoint() {
      return get().endpoint;
    },
    get clientConfig() {
      return get().clientConfig;
    },
    reset: () => get().reset(),
    data: () => get().data(),
  };
}
