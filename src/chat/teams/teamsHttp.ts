/**
 * One HTTP request into `adapter.process` and its response back out, for any
 * host: the Lambda Function URL handler and the single process's
 * `/api/messages` route. The token is checked first (teamsAuth.ts); the SDK
 * then writes to an Express-style response object, and this shim collects
 * status and body so invoke responses (the card an `Action.Execute` click
 * gets back) reach Teams on every host.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Log } from '../../log.js';
import type { ActivityHandler, CloudAdapter } from './agentsSdk.js';
import { captureResponse } from './capturedResponse.js';
import type { RequestAuthorizer } from './teamsAuth.js';

export interface HttpRequestLike {
  method: string;
  /** Header names in any case. */
  headers: Record<string, string | undefined>;
  body?: string;
}

export interface HttpResponseLike {
  status: number;
  headers: Record<string, string>;
  body: string;
}

/** Bot Framework activities are small; a card-heavy one is a few tens of KB. */
export const MAX_BODY_BYTES = 1024 * 1024;

const json = (status: number, value: unknown): HttpResponseLike => ({
  status,
  headers: { 'content-type': 'application/json; charset=utf-8' },
  body: JSON.stringify(value),
});

export async function processTeamsRequest(
  adapter: CloudAdapter,
  authorize: RequestAuthorizer,
  bot: ActivityHandler,
  req: HttpRequestLike,
  log: Log,
): Promise<HttpResponseLike> {
  if (req.method.toUpperCase() !== 'POST') {
    return {
      ...json(405, { error: 'POST Bot Framework activities to this endpoint' }),
      headers: { allow: 'POST', 'content-type': 'application/json; charset=utf-8' },
    };
  }
  const headers: Record<string, string> = {};
  for (const [k, v] of Object.entries(req.headers)) if (v !== undefined) headers[k.toLowerCase()] = v;
  // Before the body is read: a sender without a token learns nothing about what the bot accepts.
  const decision = await authorize('POST', headers);
  if (!decision.ok) return json(decision.status, { error: decision.error });

  let body: unknown;
  try {
    body = JSON.parse(req.body ?? '');
  } catch {
    return json(400, { error: 'the body must be a JSON Bot Framework Activity' });
  }
  if (typeof body !== 'object' || body === null || Array.isArray(body)) {
    return json(400, { error: 'the body must be a JSON object (one Bot Framework Activity)' });
  }

  const { res, captured } = captureResponse();
  let turnStarted = false;
  try {
    await adapter.process(
      { method: 'POST', headers, body: body as Record<string, unknown>, user: decision.claims },
      res,
      (ctx) => {
        turnStarted = true;
        return bot.run(ctx);
      },
    );
  } catch (err) {
    const error = err instanceof Error ? err.message.split('\n')[0] : String(err);
    if (!turnStarted) {
      // The SDK checks the activity's shape (and builds the reply client) before the turn starts.
      log.warn('teams request rejected', { error: error?.slice(0, 200) });
      return json(400, { error: 'the body is not a valid Bot Framework Activity' });
    }
    log.error('teams request failed', { error: error?.slice(0, 200) });
    return json(500, { error: 'the bot failed to handle this activity; it has been logged' });
  }
  const { status, body: sent } = captured;
  if (sent === undefined) return { status, headers: {}, body: '' };
  if (typeof sent === 'string')
    return { status, headers: { 'content-type': 'text/plain; charset=utf-8' }, body: sent };
  return json(status, sent);
}

/** Node http handler for the single process's route (`/api/messages`). */
export function teamsRequestListener(
  adapter: CloudAdapter,
  authorize: RequestAuthorizer,
  bot: ActivityHandler,
  log: Log,
) {
  return async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    const chunks: Buffer[] = [];
    let size = 0;
    for await (const chunk of req) {
      size += (chunk as Buffer).length;
      if (size > MAX_BODY_BYTES) {
        res
          .writeHead(413, { 'content-type': 'application/json' })
          .end(JSON.stringify({ error: 'body too large' }));
        return;
      }
      chunks.push(chunk as Buffer);
    }
    const headers: Record<string, string | undefined> = {};
    for (const [k, v] of Object.entries(req.headers)) headers[k] = Array.isArray(v) ? v.join(', ') : v;
    const out = await processTeamsRequest(
      adapter,
      authorize,
      bot,
      { method: req.method ?? 'GET', headers, body: Buffer.concat(chunks).toString('utf8') },
      log,
    );
    res.writeHead(out.status, out.headers).end(out.body);
  };
}
