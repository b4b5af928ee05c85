/**
 * A loopback HTTP server standing in for the Slack Web API (reached through
 * SLACK_API_URL) and for response_url endpoints. It records every call with
 * its decoded arguments and answers the way Slack does; tests can queue a
 * 429 with Retry-After or a platform error for the next call to a method.
 */
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, beforeEach } from 'vitest';

export interface SlackCall {
  method: string;
  args: Record<string, unknown>;
  at: number;
}

/**
 * A planned answer: a 429, a platform error, or a delay. A delayed call is
 * applied at once (a post lands in the channel's history) and answered only
 * after `delayMs`, like a Slack API slower than the client's timeout.
 */
type Planned = ({ status: 429; retryAfter: number } | { error: string } | { delayMs: number }) & {
  /** Only for calls to this channel (others go on as usual). */
  channel?: string;
};

export interface FakeSlackApi {
  /** Base URL for SLACK_API_URL, ending in `/api/`. */
  apiUrl: string;
  /** A response_url the fake records posts to. */
  responseUrl(id?: string): string;
  calls: SlackCall[];
  callsTo(method: string): SlackCall[];
  /** The next call to `method` gets this answer instead of success. */
  failNext(method: string, planned: Planned): void;
  /** Messages posted per channel, newest last, with the metadata Lights Out attached. */
  history: Map<string, { ts: string; text?: unknown; metadata?: unknown }[]>;
  /** users.info answers with this time zone per user. */
  userTimeZones: Map<string, string>;
  /**
   * The workspace's people by email (lower case) → user id: users.lookupByEmail
   * finds them (else `users_not_found`), users.info reports the email.
   */
  userEmails: Map<string, string>;
  /** User groups by id with their member user ids, for usergroups.list / usergroups.users.list (empty by default). */
  userGroupMembers: Map<string, string[]>;
  /**
   * Files uploaded through the external upload flow, by file id: the bytes
   * POSTed to the upload URL files.getUploadURLExternal handed out, and the
   * files.completeUploadExternal call that shared them (absent until then).
   */
  uploads: Map<string, { filename: string; bytes?: Buffer; completed?: Record<string, unknown> }>;
  /** What apps.connections.open hands out (a fake Socket Mode server). */
  socketModeUrl?: string;
  reset(): void;
  close(): Promise<void>;
}

async function readBody(req: IncomingMessage): Promise<Record<string, unknown>> {
  const chunks: Buffer[] = [];
  for await (const c of req) chunks.push(c as Buffer);
  const raw = Buffer.concat(chunks).toString('utf8');
  if ((req.headers['content-type'] ?? '').includes('application/json'))
    return raw ? (JSON.parse(raw) as Record<string, unknown>) : {};
  const out: Record<string, unknown> = {};
  for (const [k, v] of new URLSearchParams(raw)) {
    // The Web API client sends structured arguments (blocks, view) as JSON strings.
    out[k] = /^[[{]/.test(v) ? JSON.parse(v) : v;
  }
  return out;
}

export async function startFakeSlackApi(): Promise<FakeSlackApi> {
  const calls: SlackCall[] = [];
  const planned = new Map<string, Planned[]>();
  const userTimeZones = new Map<string, string>();
  const userEmails = new Map<string, string>();
  const userGroupMembers = new Map<string, string[]>();
  const history = new Map<string, { ts: string; text?: unknown; metadata?: unknown }[]>();
  const uploads: FakeSlackApi['uploads'] = new Map();
  let seq = 0;
  let base = '';

  const server: Server = createServer(async (req, res) => {
    // An upload URL from files.getUploadURLExternal: raw bytes, not a Web API call.
    const upload = /^\/upload\/([^/?]+)/.exec(req.url ?? '');
    if (upload) {
      const chunks: Buffer[] = [];
      for await (const c of req) chunks.push(c as Buffer);
      const file = uploads.get(upload[1]!);
      calls.push({
        method: 'upload',
        args: { fileId: upload[1], bytes: Buffer.concat(chunks).length },
        at: Date.now(),
      });
      if (!file) return void res.writeHead(404).end('unknown upload');
      file.bytes = Buffer.concat(chunks);
      return void res.writeHead(200, { 'content-type': 'text/plain' }).end('OK - 1');
    }
    const args = await readBody(req);
    const path = req.url ?? '/';
    const method = path.startsWith('/api/')
      ? path.slice(5).split('?')[0]!
      : `response_url${path.slice('/response'.length)}`;
    calls.push({ method, args, at: Date.now() });
    const queue = planned.get(method) ?? [];
    const at = queue.findIndex((p) => p.channel === undefined || p.channel === args.channel);
    const plan = at >= 0 ? queue.splice(at, 1)[0] : undefined;
    if (plan && 'status' in plan) {
      res
        .writeHead(429, { 'retry-after': String(plan.retryAfter), 'content-type': 'application/json' })
        .end('{"ok":false,"error":"ratelimited"}');
      return;
    }
    const reply = (body: Record<string, unknown>) =>
      res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(body));
    if (plan && 'error' in plan) return reply({ ok: false, error: plan.error });
    seq += 1;
    const ts = `1700000000.${String(seq).padStart(6, '0')}`;
    if (plan && 'delayMs' in plan) {
      const answer = reply;
      // Applied now, answered late: the client may have given up by then.
      const late = (body: Record<string, unknown>) => void setTimeout(() => answer(body), plan.delayMs);
      return answerCall(method, args, ts, late);
    }
    return answerCall(method, args, ts, reply);
  });

  function answerCall(
    method: string,
    args: Record<string, unknown>,
    ts: string,
    reply: (body: Record<string, unknown>) => void,
  ): unknown {
    switch (method) {
      case 'chat.postMessage': {
        const channel = String(args.channel);
        if (!args.thread_ts) {
          history.set(channel, [
            ...(history.get(channel) ?? []),
            { ts, text: args.text, metadata: args.metadata },
          ]);
        }
        return reply({ ok: true, channel: args.channel, ts, message: { ts, text: args.text } });
      }
      case 'conversations.history': {
        // Newest first, as Slack answers; metadata only when asked for.
        const all = args.include_all_metadata === true || args.include_all_metadata === 'true';
        const messages = [...(history.get(String(args.channel)) ?? [])]
          .reverse()
          .map((m) => (all ? m : { ts: m.ts, text: m.text }));
        return reply({ ok: true, messages, has_more: false });
      }
      case 'chat.update':
        return reply({ ok: true, channel: args.channel, ts: args.ts });
      case 'chat.postEphemeral':
        return reply({ ok: true, message_ts: ts });
      case 'users.info': {
        const email = [...userEmails].find(([, id]) => id === String(args.user))?.[0];
        return reply({
          ok: true,
          user: {
            id: args.user,
            tz: userTimeZones.get(String(args.user)) ?? 'UTC',
            profile: email ? { email } : {},
          },
        });
      }
      case 'users.lookupByEmail': {
        const id = userEmails.get(String(args.email).toLowerCase());
        return reply(
          id ? { ok: true, user: { id, deleted: false } } : { ok: false, error: 'users_not_found' },
        );
      }
      case 'conversations.open': {
        // One DM channel per user, named after them, as stable as Slack's.
        const user = String(args.users ?? '');
        if (!/^[UW][A-Z0-9]+$/.test(user)) return reply({ ok: false, error: 'user_not_found' });
        return reply({ ok: true, channel: { id: `D${user.slice(1)}` } });
      }
      case 'users.conversations':
        return reply({ ok: true, channels: [{ id: 'C0WEB' }], response_metadata: { next_cursor: '' } });
      case 'files.getUploadURLExternal': {
        const fileId = `F${String(seq).padStart(9, '0')}`;
        uploads.set(fileId, { filename: String(args.filename) });
        return reply({ ok: true, upload_url: `${base}/upload/${fileId}`, file_id: fileId });
      }
      case 'files.completeUploadExternal': {
        const files = (Array.isArray(args.files) ? args.files : []) as { id: string; title?: string }[];
        const unknown = files.find((f) => !uploads.get(f.id)?.bytes);
        if (!files.length || unknown) return reply({ ok: false, error: 'invalid_arguments' });
        for (const f of files) uploads.get(f.id)!.completed = args;
        return reply({ ok: true, files: files.map((f) => ({ id: f.id, title: f.title })) });
      }
      case 'apps.connections.open':
        return reply(
          api.socketModeUrl ? { ok: true, url: api.socketModeUrl } : { ok: false, error: 'not_configured' },
        );
      case 'usergroups.list': {
        // Slack only lists members when asked with include_users.
        const withUsers = args.include_users === true || args.include_users === 'true';
        return reply({
          ok: true,
          usergroups: [...userGroupMembers].map(([id, users]) => ({
            id,
            handle: id.toLowerCase(),
            ...(withUsers ? { users, user_count: users.length } : { user_count: users.length }),
          })),
        });
      }
      case 'usergroups.users.list': {
        const users = userGroupMembers.get(String(args.usergroup));
        return reply(users ? { ok: true, users } : { ok: false, error: 'no_such_subteam' });
      }
      default:
        return reply({ ok: true });
    }
  }
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;

  const api: FakeSlackApi = {
    apiUrl: `${base}/api/`,
    responseUrl: (id = 'r1') => `${base}/response/${id}`,
    calls,
    callsTo: (method) => calls.filter((c) => c.method === method),
    failNext(method, plan) {
      planned.set(method, [...(planned.get(method) ?? []), plan]);
    },
    userTimeZones,
    userEmails,
    userGroupMembers,
    history,
    uploads,
    reset() {
      calls.length = 0;
      uploads.clear();
      planned.clear();
      history.clear();
      userTimeZones.clear();
      userEmails.clear();
      userGroupMembers.clear();
    },
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
  return api;
}

/**
 * The fake for a whole suite, like `useMoto()`: started once, its calls and
 * plans cleared before every test, closed at the end. The handle forwards to
 * the running fake, so use it inside tests and hooks.
 */
export function useFakeSlackApi(): FakeSlackApi {
  let api: FakeSlackApi | undefined;
  beforeAll(async () => {
    api = await startFakeSlackApi();
  });
  afterAll(() => api?.close());
  beforeEach(() => api?.reset());
  const started = () => {
    if (!api) throw new Error('useFakeSlackApi(): not started yet (use it inside tests/hooks)');
    return api;
  };
  return new Proxy({} as FakeSlackApi, {
    get: (_target, key) => Reflect.get(started(), key),
    set: (_target, key, value) => Reflect.set(started(), key, value),
  });
}
