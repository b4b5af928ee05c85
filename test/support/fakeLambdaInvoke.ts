/**
 * A loopback server for Lambda's Invoke API (REST-JSON:
 * `POST /2015-03-31/functions/{FunctionName}/invocations`), reached through
 * AWS_ENDPOINT_URL_LAMBDA. moto runs invoked functions only in Docker, so this
 * stands in for Lambda's asynchronous invocation: an `Event` invoke is
 * recorded, answered 202 at once, and its payload handed to the handler
 * registered for that function on a later turn of the event loop, as Lambda
 * does. `settled()` waits until every invocation has run.
 *
 *   const lambda = useFakeLambdaInvoke();
 *   lambda.register('arn:aws:lambda:us-east-1:123456789012:function:lightsout-digest', handler);
 *   ... the code under test invokes it ...
 *   await lambda.settled();
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, beforeEach } from 'vitest';

export interface Invocation {
  /** As the caller named it: a name or an ARN (URL-decoded). */
  functionName: string;
  invocationType: string;
  payload: unknown;
}

export interface FakeLambdaInvoke {
  url: string;
  invocations: Invocation[];
  /** Runs `handler` for invocations of `functionName` (a name or an ARN, matched as the caller sends it). */
  register(functionName: string, handler: (event: unknown) => Promise<unknown>): void;
  /** Waits for every invocation so far, and any they caused, to finish; rethrows none (Lambda would retry). */
  settled(): Promise<void>;
  /** What each run invocation returned or threw, in order. */
  results: { functionName: string; result?: unknown; error?: string }[];
  reset(): void;
  close(): Promise<void>;
}

export async function startFakeLambdaInvoke(): Promise<FakeLambdaInvoke> {
  const invocations: Invocation[] = [];
  const results: FakeLambdaInvoke['results'] = [];
  const handlers = new Map<string, (event: unknown) => Promise<unknown>>();
  const pending = new Set<Promise<unknown>>();
  const server: Server = createServer(async (req, res) => {
    const chunks: Buffer[] = [];
    for await (const c of req) chunks.push(c as Buffer);
    const match = /^\/2015-03-31\/functions\/([^/]+)\/invocations/.exec(req.url ?? '');
    const answer = (status: number, body: unknown, headers: Record<string, string> = {}) => {
      res.writeHead(status, { 'content-type': 'application/json', ...headers });
      res.end(body === undefined ? '' : JSON.stringify(body));
    };
    if (req.method !== 'POST' || !match) {
      answer(400, { Type: 'User', message: `not served: ${req.method} ${req.url}` });
      return;
    }
    const functionName = decodeURIComponent(match[1]!);
    const invocationType = String(req.headers['x-amz-invocation-type'] ?? 'RequestResponse');
    const raw = Buffer.concat(chunks).toString('utf8');
    const payload: unknown = raw ? JSON.parse(raw) : {};
    invocations.push({ functionName, invocationType, payload });
    const handler = handlers.get(functionName);
    if (!handler) {
      answer(
        404,
        { Type: 'User', message: `Function not found: ${functionName}` },
        {
          'x-amzn-errortype': 'ResourceNotFoundException',
        },
      );
      return;
    }
    if (invocationType !== 'Event') {
      answer(400, { Type: 'User', message: 'only asynchronous (Event) invocations are served' });
      return;
    }
    // Lambda queues the event and answers at once; the function runs later.
    const run = new Promise((resolve) => setImmediate(resolve))
      .then(() => handler(JSON.parse(raw || '{}')))
      .then(
        (result) => results.push({ functionName, result }),
        (err: unknown) => results.push({ functionName, error: String(err) }),
      );
    pending.add(run);
    void run.finally(() => pending.delete(run));
    answer(202, undefined);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    invocations,
    results,
    register: (name, handler) => handlers.set(name, handler),
    async settled() {
      while (pending.size) await Promise.allSettled([...pending]);
    },
    reset() {
      invocations.length = 0;
      results.length = 0;
      handlers.clear();
    },
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

/**
 * The fake for a whole test file: started once, with AWS_ENDPOINT_URL_LAMBDA
 * pointing at it (and restored after), emptied before each test.
 */
export function useFakeLambdaInvoke(): FakeLambdaInvoke {
  let api: FakeLambdaInvoke | undefined;
  let before: string | undefined;
  beforeAll(async () => {
    api = await startFakeLambdaInvoke();
    before = process.env.AWS_ENDPOINT_URL_LAMBDA;
    process.env.AWS_ENDPOINT_URL_LAMBDA = api.url;
  });
  afterAll(async () => {
    if (before === undefined) delete process.env.AWS_ENDPOINT_URL_LAMBDA;
    else process.env.AWS_ENDPOINT_URL_LAMBDA = before;
    await api?.close();
  });
  beforeEach(() => api?.reset());
  const live = (): FakeLambdaInvoke => {
    if (!api) throw new Error('fake Lambda Invoke not started');
    return api;
  };
  return {
    get url() {
      return live().url;
    },
    get invocations() {
      return live().invocations;
    },
    get results() {
      return live().results;
    },
    register: (name, handler) => live().register(name, handler),
    settled: () => live().settled(),
    reset: () => live().reset(),
    close: () => live().close(),
  };
}
