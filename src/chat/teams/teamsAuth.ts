/**
 * Who may POST to the messaging endpoint. With a client id every request
 * must carry a Bot Framework token that the Agents SDK's JWT check accepts
 * (signature against the published signing keys, audience = our client id,
 * expiry, tenant binding); anything else is 401. When the signing keys cannot
 * be fetched, the request is not the sender's fault: it gets 503, so Azure
 * Bot Service retries, and neither answer carries internals. Each refusal is
 * one structured log line, never a stack trace.
 */
import type { Log } from '../../log.js';
import { type AuthConfiguration, authorizeJWT, buildJwksUri } from './agentsSdk.js';
import { captureResponse } from './capturedResponse.js';

/** The verified token's claims; empty in unauthenticated mode. */
export type TokenClaims = Record<string, unknown>;

export type AuthDecision =
  | { ok: true; claims: TokenClaims | undefined }
  | { ok: false; status: 401 | 503; error: string };

export type RequestAuthorizer = (method: string, headers: Record<string, string>) => Promise<AuthDecision>;

const UNAUTHORIZED = 'unauthorized: a valid Bot Framework token is required';
const UNAVAILABLE = 'the bot cannot verify tokens right now; try again shortly';
/** jsonwebtoken's wording when the signing-key lookup failed (unreachable keys, or no key with the token's kid). */
const KEY_LOOKUP_FAILED = /^error in secret or public key callback/;
const KEYS_PROBE_TIMEOUT_MS = 5_000;

/** The unverified claims of a JWT, to find where its keys live; undefined when it is not a JWT. */
function unverifiedClaims(authorization: string | undefined): TokenClaims | undefined {
  const token = /^Bearer\s+(\S+)$/i.exec(authorization?.trim() ?? '')?.[1];
  const payload = token?.split('.')[1];
  if (!payload) return undefined;
  try {
    const claims: unknown = JSON.parse(Buffer.from(payload, 'base64url').toString('utf8'));
    return claims && typeof claims === 'object' ? (claims as TokenClaims) : undefined;
  } catch {
    return undefined;
  }
}

/** True when the key set the token names answers; the SDK's key client keeps its own cache. */
async function keysReachable(jwksUri: string): Promise<boolean> {
  try {
    const res = await fetch(jwksUri, { signal: AbortSignal.timeout(KEYS_PROBE_TIMEOUT_MS) });
    await res.body?.cancel();
    return res.ok;
  } catch {
    return false;
  }
}

/**
 * The authorizer for one bot. Without `auth` (no client id) every request
 * passes: the unauthenticated local trial, announced loudly at start-up.
 */
export function createRequestAuthorizer(auth: AuthConfiguration | undefined, log: Log): RequestAuthorizer {
  if (!auth?.clientId) return async () => ({ ok: true, claims: undefined });
  const check = authorizeJWT(auth);
  return async (method, headers) => {
    const req: { method: string; headers: Record<string, string>; user?: TokenClaims } = { method, headers };
    const { res, captured } = captureResponse();
    let passed = false;
    await check(req as never, res as never, () => {
      passed = true;
    });
    if (passed) return { ok: true, claims: req.user };

    const reason = String(
      (captured.body as Record<string, unknown> | undefined)?.['jwt-auth-error'] ??
        `status ${captured.status}`,
    );
    const claims = unverifiedClaims(headers.authorization);
    if (KEY_LOOKUP_FAILED.test(reason) && claims) {
      const jwksUri = buildJwksUri(String(claims.iss ?? ''), auth);
      if (!(await keysReachable(jwksUri))) {
        log.error('teams request refused: token signing keys unreachable', { status: 503, jwksUri });
        return { ok: false, status: 503, error: UNAVAILABLE };
      }
    }
    log.warn('teams request refused: no valid token', {
      status: 401,
      reason: reason.replace(/\s+/g, ' ').slice(0, 200),
      issuer: typeof claims?.iss === 'string' ? claims.iss : undefined,
    });
    return { ok: false, status: 401, error: UNAUTHORIZED };
  };
}
