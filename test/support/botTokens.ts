/**
 * Bot Framework tokens for tests: a locally generated RSA key, its JWKS
 * served on loopback (what Entra's `…/discovery/v2.0/keys` serves), and JWTs
 * signed with it the way Azure Bot Service signs the requests it forwards.
 * Point the bot's `authorityEndpoint` at `authority` so the SDK fetches the
 * keys here. The same server is the tenant's token endpoint for the bot's
 * own outbound tokens (client-credentials grant).
 *
 *   const keys = await startTokenKeys(TENANT);
 *   const token = keys.sign({ aud: CLIENT_ID });       // valid
 *   const forged = signWithOtherKey({ aud: CLIENT_ID }); // wrong signature
 */
import { createSign, generateKeyPairSync, type KeyObject, randomUUID } from 'node:crypto';
import { createServer } from 'node:http';

export interface TokenKeys {
  /** Use as `authorityEndpoint`: the keys are at `<authority>/<tenant>/discovery/v2.0/keys`. */
  authority: string;
  sign(claims: Record<string, unknown>): string;
  /** How many times the keys were fetched. */
  fetches(): number;
  /** Form bodies of the client-credentials requests the bot made. */
  tokenRequests: URLSearchParams[];
  /** The access token the token endpoint hands out. */
  issuedToken: string;
  close(): Promise<void>;
}

const b64 = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url');

function signJwt(privateKey: KeyObject, kid: string, claims: Record<string, unknown>): string {
  const now = Math.floor(Date.now() / 1000);
  const head = `${b64({ alg: 'RS256', typ: 'JWT', kid })}.${b64({ iat: now, nbf: now - 60, exp: now + 3600, ...claims })}`;
  const signature = createSign('RSA-SHA256').update(head).sign(privateKey).toString('base64url');
  return `${head}.${signature}`;
}

/** Entra v2 claims for a token issued in `tenant` to the bot `aud`. */
export const entraClaims = (tenant: string, aud: string) => ({
  aud,
  iss: `https://login.microsoftonline.com/${tenant}/v2.0`,
  tid: tenant,
});

export async function startTokenKeys(tenant: string): Promise<TokenKeys> {
  const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
  const kid = randomUUID();
  const jwk = { ...publicKey.export({ format: 'jwk' }), kid, use: 'sig', alg: 'RS256' };
  let fetches = 0;
  const tokenRequests: URLSearchParams[] = [];
  const issuedToken = `outbound-${randomUUID()}`;
  const server = createServer(async (req, res) => {
    if (req.method === 'POST' && req.url === `/${tenant}/oauth2/v2.0/token`) {
      const chunks: Buffer[] = [];
      for await (const c of req) chunks.push(c as Buffer);
      tokenRequests.push(new URLSearchParams(Buffer.concat(chunks).toString('utf8')));
      res
        .writeHead(200, { 'content-type': 'application/json' })
        .end(JSON.stringify({ token_type: 'Bearer', expires_in: 3599, access_token: issuedToken }));
    } else if (req.url === `/${tenant}/discovery/v2.0/keys`) {
      fetches++;
      res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ keys: [jwk] }));
    } else res.writeHead(404).end();
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : 0;
  return {
    authority: `http://127.0.0.1:${port}`,
    sign: (claims) => signJwt(privateKey, kid, claims),
    fetches: () => fetches,
    tokenRequests,
    issuedToken,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

/** A well-formed token signed with a key nobody publishes. */
export function signWithOtherKey(claims: Record<string, unknown>): string {
  const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
  return signJwt(privateKey, randomUUID(), claims);
}
