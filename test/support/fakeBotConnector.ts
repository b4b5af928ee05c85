/**
 * A loopback stand-in for the Bot Framework connector (the `serviceUrl` Teams
 * gives the bot). Records what the real CloudAdapter sends: new activities
 * and replies (POST /v3/conversations/{id}/activities[/{replyToId}]),
 * in-place updates (PUT …/activities/{id}) and new conversations
 * (POST /v3/conversations), and answers the way the connector does. It also
 * knows the members of conversations (`members`), answering
 * GET /v3/conversations/{id}/members/{userId} (by Teams id, Entra object id or
 * UPN, else 404) and GET /v3/conversations/{id}/pagedmembers (one page), as the Bot Framework
 * REST API documents them.
 *
 *   const connector = await startFakeBotConnector();
 *   activity.serviceUrl = connector.serviceUrl;
 *   …; expect(connector.sent).toHaveLength(1); await connector.close();
 */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { afterAll, beforeAll, beforeEach } from 'vitest';

export interface RecordedActivity {
  conversationId: string;
  /** The activity a reply answers (`POST …/activities/{replyToId}`). */
  replyToId?: string;
  activity: Record<string, unknown>;
  /** Id the fake connector assigned (send) or the id updated (PUT). */
  id: string;
  /** The Authorization header the bot sent (absent in unauthenticated mode). */
  authorization?: string;
}

export interface RecordedConversation {
  parameters: Record<string, unknown>;
  id: string;
  activityId?: string;
}

/** A conversation member as the connector returns it (a TeamsChannelAccount). */
export interface FakeMember {
  id: string;
  name: string;
  aadObjectId: string;
  userPrincipalName: string;
  email?: string;
  tenantId?: string;
}

export interface FakeBotConnector {
  serviceUrl: string;
  /** Members per conversation (team) id; empty by default. */
  members: Map<string, FakeMember[]>;
  /** Member lookups received, as `<conversationId> <userId>` (`*` for the whole list). */
  memberLookups: string[];
  /** New posts and thread replies, in order. */
  sent: RecordedActivity[];
  updates: RecordedActivity[];
  created: RecordedConversation[];
  /** Requests the fake did not understand (should stay empty). */
  unknown: string[];
  /** The next `count` requests fail with `status` (e.g. 403 when the bot was removed). */
  /**
   * The next `count` requests fail with `status` and the connector's error
   * body `{ error: { code, message } }`, e.g. 403 `BotNotInConversationRoster`
   * when the bot was removed from the team, 404 `ConversationNotFound`.
   * With `method` only requests of that method fail (`PUT`: in-place card updates).
   */
  failNext(status: number, count?: number, code?: string, method?: string): void;
  reset(): void;
  close(): Promise<void>;
}

async function readJson(req: IncomingMessage): Promise<Record<string, unknown>> {
  const chunks: Buffer[] = [];
  for await (const c of req) chunks.push(c as Buffer);
  const text = Buffer.concat(chunks).toString('utf8');
  return text ? (JSON.parse(text) as Record<string, unknown>) : {};
}

/** The connector's error code when a test names none. */
const DEFAULT_CODES: Record<number, string> = { 401: 'Unauthorized', 403: 'Forbidden', 404: 'NotFound' };

export async function startFakeBotConnector(): Promise<FakeBotConnector> {
  let seq = 0;
  let failures: { status: number; left: number; code: string; method?: string } | undefined;
  const state = {
    sent: [] as RecordedActivity[],
    updates: [] as RecordedActivity[],
    created: [] as RecordedConversation[],
    unknown: [] as string[],
    memberLookups: [] as string[],
  };
  const members = new Map<string, FakeMember[]>();
  const nextId = () => `fake-act-${++seq}`;

  const reply = (res: ServerResponse, status: number, body: unknown) => {
    res.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(body));
  };

  const server = createServer(async (req, res) => {
    const url = new URL(req.url ?? '/', 'http://127.0.0.1');
    const parts = url.pathname.split('/').filter(Boolean).map(decodeURIComponent);
    const body = await readJson(req);
    if (failures && failures.left > 0 && (!failures.method || failures.method === req.method)) {
      failures.left--;
      reply(res, failures.status, { error: { code: failures.code, message: 'fake connector failure' } });
      return;
    }
    // ['v3', 'conversations', id?, 'activities'?, activityId?]
    if (parts[0] !== 'v3' || parts[1] !== 'conversations') {
      state.unknown.push(`${req.method} ${url.pathname}`);
      reply(res, 404, { error: { code: 'NotFound', message: url.pathname } });
      return;
    }
    const [, , conversationId, activities, activityId] = parts;
    if (req.method === 'GET' && conversationId && activities === 'pagedmembers') {
      state.memberLookups.push(`${conversationId} *`);
      return reply(res, 200, { members: members.get(conversationId) ?? [] });
    }
    if (req.method === 'GET' && conversationId && activities === 'members') {
      const list = members.get(conversationId) ?? [];
      state.memberLookups.push(`${conversationId} ${activityId ?? '*'}`);
      if (activityId === undefined) return reply(res, 200, list);
      const wanted = activityId.toLowerCase();
      const member = list.find(
        (m) =>
          m.id === activityId ||
          m.aadObjectId.toLowerCase() === wanted ||
          m.userPrincipalName.toLowerCase() === wanted,
      );
      if (member) return reply(res, 200, member);
      return reply(res, 404, { error: { code: 'MemberNotFoundInConversation', message: 'not a member' } });
    }
    if (req.method === 'POST' && conversationId === undefined) {
      const id = nextId();
      const channel = (body.channelData as { channel?: { id?: string } } | undefined)?.channel?.id;
      const conversation = {
        parameters: body,
        id: channel ? `${channel};messageid=${id}` : `a:fake-${id}`,
        activityId: body.activity ? id : undefined,
      };
      state.created.push(conversation);
      reply(res, 201, { id: conversation.id, activityId: conversation.activityId, serviceUrl: serviceUrl });
      return;
    }
    if (conversationId && activities === 'activities' && req.method === 'POST') {
      const id = nextId();
      state.sent.push({
        conversationId,
        replyToId: activityId,
        activity: body,
        id,
        authorization: req.headers.authorization,
      });
      reply(res, 200, { id });
      return;
    }
    if (conversationId && activities === 'activities' && activityId && req.method === 'PUT') {
      state.updates.push({
        conversationId,
        activity: body,
        id: activityId,
        authorization: req.headers.authorization,
      });
      reply(res, 200, { id: activityId });
      return;
    }
    state.unknown.push(`${req.method} ${url.pathname}`);
    reply(res, 404, { error: { code: 'NotFound', message: url.pathname } });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : 0;
  const serviceUrl = `http://127.0.0.1:${port}/`;

  return {
    serviceUrl,
    members,
    get memberLookups() {
      return state.memberLookups;
    },
    get sent() {
      return state.sent;
    },
    get updates() {
      return state.updates;
    },
    get created() {
      return state.created;
    },
    get unknown() {
      return state.unknown;
    },
    failNext(status, count = 1, code = DEFAULT_CODES[status] ?? 'ServiceError', method) {
      failures = { status, left: count, code, method };
    },
    reset() {
      state.sent = [];
      state.updates = [];
      state.created = [];
      state.unknown = [];
      state.memberLookups = [];
      members.clear();
      failures = undefined;
    },
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

/**
 * The fake connector for a whole suite, like `useMoto()`: started once, its
 * records cleared before every test, closed at the end. The handle forwards
 * to the running fake, so use it inside tests and hooks.
 */
export function useFakeBotConnector(): FakeBotConnector {
  let connector: FakeBotConnector | undefined;
  beforeAll(async () => {
    connector = await startFakeBotConnector();
  });
  afterAll(() => connector?.close());
  beforeEach(() => connector?.reset());
  const started = () => {
    if (!connector) throw new Error('useFakeBotConnector(): not started yet (use it inside tests/hooks)');
    return connector;
  };
  return new Proxy({} as FakeBotConnector, {
    get: (_target, key) => Reflect.get(started(), key),
    set: (_target, key, value) => Reflect.set(started(), key, value),
  });
}
