/**
 * A fault-injecting HTTP proxy in front of moto_server, on a free loopback
 * port. Rules matched by the AWS action answer with throttling, a 5xx, a hang,
 * or "applied but the answer was lost"; everything else is forwarded to moto
 * unchanged. Every call is counted and logged per action, so a test can say
 * "StopInstances reached moto exactly once per instance".
 *
 *   const moto = useMoto();
 *   const proxy = useFaultProxy(moto);      // AWS_ENDPOINT_URL now points at the proxy
 *   proxy.addRule({ action: 'StopInstances', fault: { kind: 'throttle' }, rate: 0.3 });
 *   proxy.addRule({ action: 'DescribeInstances', fault: { kind: 'hang' } });
 *   ...
 *   proxy.recover();                        // drop the rules, answer the hung calls
 *   expect(proxy.count('StopInstances').forwarded).toBe(1);
 *
 * The action is the query or form-body `Action=` (EC2, SNS, the query
 * protocols), the operation of an `X-Amz-Target` header (`DynamoDB_20120810.PutItem`
 * → `PutItem`; the whole target matches too), or `METHOD /path` for REST services.
 */
import {
  Agent,
  createServer,
  type IncomingMessage,
  request,
  type Server,
  type ServerResponse,
} from 'node:http';
import { afterAll, beforeAll } from 'vitest';
import { faultAnswer } from './faultAnswers.js';

export type Fault =
  /** The service's throttling error in its protocol (RequestLimitExceeded for EC2). */
  | { kind: 'throttle'; status?: number }
  /** A server error; 500 unless `status` says otherwise. */
  | { kind: 'error'; status?: number }
  /** Never answer (until `releaseHangs()`/`recover()`), or forward after `ms`. */
  | { kind: 'hang'; ms?: number }
  /** Forward to moto (the call is applied), then destroy the client's socket. */
  | { kind: 'dropAfterApply' };

export interface CallInfo {
  /** `StopInstances`, `PutItem`, or `POST /schedules/x` for REST services. */
  action: string;
  /** The whole X-Amz-Target header, when there is one. */
  target?: string;
  /** Signing name from the Authorization header: `ec2`, `dynamodb`, `scheduler`… */
  service: string;
  /** Signing region from the Authorization header (`us-west-2`), so a rule can fail one region. */
  region: string;
  /** Form/query parameters (query protocols). */
  params: Record<string, string>;
  /** Parsed JSON body (JSON protocols), when there is one. */
  json?: unknown;
}

export interface FaultRule {
  action: string | RegExp | ((call: CallInfo) => boolean);
  fault: Fault;
  /** Share of matching calls that get the fault (seeded, so runs repeat); 1 by default. */
  rate?: number;
  /** Apply to at most this many calls, then let the rest through. */
  times?: number;
}

export type Outcome = 'forwarded' | 'throttled' | 'errored' | 'hung' | 'dropped' | 'abandoned';

export interface ActionCounts {
  received: number;
  /** Reached moto (applied), whether or not the client got the answer. */
  forwarded: number;
  throttled: number;
  errored: number;
  /** Held by a hang rule (later forwarded or abandoned). */
  hung: number;
  /** Applied at moto but the answer was dropped. */
  dropped: number;
  /** Hung calls whose client gave up before the hang ended; never reached moto. */
  abandoned: number;
}

export interface LoggedCall extends CallInfo {
  outcomes: Outcome[];
}

export interface FaultProxy {
  endpoint: string;
  clientConfig: {
    endpoint: string;
    region: string;
    credentials: { accessKeyId: string; secretAccessKey: string };
  };
  addRule(rule: FaultRule): { remove(): void };
  clearRules(): void;
  /** Answers every hung call now (forwarding it to moto if its client is still there). */
  releaseHangs(): void;
  /** AWS recovers: no more faults, and every hung call is answered. */
  recover(): void;
  /** Calls currently held by a hang rule. */
  pendingHangs(): number;
  count(action: string): ActionCounts;
  calls(action?: string): LoggedCall[];
  resetCounters(): void;
  close(): Promise<void>;
}

interface Held {
  release(): void;
}

const REGION = 'us-east-1';

/** Starts the proxy in front of `target` (moto's endpoint). `seed` fixes the `rate` draws. */
export async function startFaultProxy(opts: { target: string; seed?: number }): Promise<FaultProxy> {
  const target = new URL(opts.target);
  const agent = new Agent({ keepAlive: true, maxSockets: 64 });
  const random = seededRandom(opts.seed ?? 12);
  let rules: Array<FaultRule & { applied: number }> = [];
  let log: LoggedCall[] = [];
  const held = new Set<Held>();

  const counts = new Map<string, ActionCounts>();
  const bump = (call: LoggedCall, outcome: Outcome) => {
    call.outcomes.push(outcome);
    counterOf(counts, call.action)[outcome] += 1;
  };

  const forward = (req: IncomingMessage, body: Buffer, res: ServerResponse, after?: () => void) => {
    const upstream = request(
      {
        host: target.hostname,
        port: target.port,
        method: req.method,
        path: req.url,
        headers: { ...req.headers, host: target.host, 'content-length': String(body.length) },
        agent,
      },
      (up) => {
        const chunks: Buffer[] = [];
        up.on('data', (c: Buffer) => chunks.push(c));
        up.on('end', () => {
          if (after) return after();
          if (res.destroyed) return;
          res.writeHead(up.statusCode ?? 502, up.headers);
          res.end(Buffer.concat(chunks));
        });
      },
    );
    upstream.on('error', (e) => {
      if (!res.headersSent && !res.destroyed) res.writeHead(502).end(`fault proxy: ${e.message}`);
    });
    upstream.end(body);
  };

  const handle = async (req: IncomingMessage, res: ServerResponse) => {
    const body = await readBody(req);
    const call: LoggedCall = { ...describeCall(req, body), outcomes: [] };
    log.push(call);
    counterOf(counts, call.action).received += 1;
    const rule = rules.find((r) => matches(r, call) && (r.times === undefined || r.applied < r.times));
    const fires = rule !== undefined && (rule.rate === undefined || random() < rule.rate);
    if (!rule || !fires) {
      bump(call, 'forwarded');
      return forward(req, body, res);
    }
    rule.applied += 1;
    const { fault } = rule;
    if (fault.kind === 'throttle' || fault.kind === 'error') {
      bump(call, fault.kind === 'throttle' ? 'throttled' : 'errored');
      const answer = faultAnswer(call, fault.kind, fault.status);
      res.writeHead(answer.status, answer.headers).end(answer.body);
      return;
    }
    if (fault.kind === 'dropAfterApply') {
      bump(call, 'forwarded');
      bump(call, 'dropped');
      return forward(req, body, res, () => res.socket?.destroy());
    }
    bump(call, 'hung');
    const entry: Held = {
      release: () => {
        if (!held.delete(entry)) return;
        clearTimeout(timer);
        bump(call, 'forwarded');
        forward(req, body, res);
      },
    };
    const timer = fault.ms === undefined ? undefined : setTimeout(() => entry.release(), fault.ms);
    held.add(entry);
    // A client that gives up (its request timeout) while held never reaches moto.
    res.on('close', () => {
      if (!held.delete(entry)) return;
      clearTimeout(timer);
      bump(call, 'abandoned');
    });
  };

  const server: Server = createServer((req, res) => {
    handle(req, res).catch((e: unknown) => {
      if (!res.headersSent) res.writeHead(500).end(`fault proxy: ${String(e)}`);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const addr = server.address();
  const endpoint = `http://127.0.0.1:${typeof addr === 'object' && addr ? addr.port : 0}`;

  const releaseHangs = () => {
    for (const h of [...held]) h.release();
  };
  return {
    endpoint,
    clientConfig: {
      endpoint,
      region: REGION,
      credentials: { accessKeyId: 'testing', secretAccessKey: 'testing' },
    },
    addRule(rule) {
      const entry = { ...rule, applied: 0 };
      rules.push(entry);
      return {
        remove: () => {
          rules = rules.filter((r) => r !== entry);
        },
      };
    },
    clearRules: () => {
      rules = [];
    },
    releaseHangs,
    recover() {
      rules = [];
      releaseHangs();
    },
    pendingHangs: () => held.size,
    count: (action) => ({ ...counterOf(counts, action) }),
    calls: (action) => log.filter((c) => action === undefined || c.action === action),
    resetCounters() {
      counts.clear();
      log = [];
    },
    async close() {
      releaseHangs();
      agent.destroy();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

/**
 * Test-file helper: a proxy in front of `moto` for the file's tests. Call it
 * after `useMoto()`; it points AWS_ENDPOINT_URL at the proxy so code that
 * builds its own clients goes through it. `reset()` clears rules and counters.
 */
export function useFaultProxy(moto: { endpoint: string }, opts: { seed?: number } = {}) {
  let proxy: FaultProxy | undefined;
  let saved: string | undefined;
  beforeAll(async () => {
    proxy = await startFaultProxy({ target: moto.endpoint, seed: opts.seed });
    saved = process.env.AWS_ENDPOINT_URL;
    process.env.AWS_ENDPOINT_URL = proxy.endpoint;
  });
  afterAll(async () => {
    if (saved === undefined) delete process.env.AWS_ENDPOINT_URL;
    else process.env.AWS_ENDPOINT_URL = saved;
    await proxy?.close();
  });
  const get = (): FaultProxy => {
    if (!proxy) throw new Error('useFaultProxy(): proxy not started yet (use it inside tests/hooks)');
    return proxy;
  };
  return {
    get: get,
    reset() {
      get().recover();
      get().resetCounters();
    },
  };
}

function matches(rule: FaultRule, call: CallInfo): boolean {
  const { action } = rule;
  if (typeof action === 'function') return action(call);
  if (action instanceof RegExp)
    return action.test(call.action) || (call.target ? action.test(call.target) : false);
  return action === call.action || action === call.target;
}

function describeCall(req: IncomingMessage, body: Buffer): CallInfo {
  const url = new URL(req.url ?? '/', 'http://proxy');
  const auth = String(req.headers.authorization ?? '');
  const scope = /Credential=[^/]+\/[^/]+\/([^/]+)\/([^/]+)\//.exec(auth);
  const region = scope?.[1] ?? 'unknown';
  const service = scope?.[2] ?? 'unknown';
  const target = req.headers['x-amz-target'] as string | undefined;
  const params: Record<string, string> = Object.fromEntries(url.searchParams);
  const type = String(req.headers['content-type'] ?? '');
  let json: unknown;
  if (type.includes('x-www-form-urlencoded'))
    Object.assign(params, Object.fromEntries(new URLSearchParams(body.toString())));
  else if (type.includes('json') && body.length > 0) {
    try {
      json = JSON.parse(body.toString());
    } catch {
      json = undefined;
    }
  }
  const action = target
    ? target.slice(target.lastIndexOf('.') + 1)
    : (params.Action ?? `${req.method} ${url.pathname}`);
  return { action, target, service, region, params, json };
}

function counterOf(counts: Map<string, ActionCounts>, action: string): ActionCounts {
  let c = counts.get(action);
  if (!c) {
    c = { received: 0, forwarded: 0, throttled: 0, errored: 0, hung: 0, dropped: 0, abandoned: 0 };
    counts.set(action, c);
  }
  return c;
}

async function readBody(req: IncomingMessage): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const c of req) chunks.push(c as Buffer);
  return Buffer.concat(chunks);
}

/** mulberry32: a tiny seeded generator, so a 30% rate throttles the same calls each run. */
function seededRandom(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
