/**
 * Outbound tokens for a client-secret bot without MSAL, for the Lambda
 * functions: there a bot can only authenticate with its client secret (a
 * managed identity needs an Azure host), and MSAL is the largest part of the
 * Teams bundles, so they leave it out (UNUSED_ON_LAMBDA in
 * infra/lib/bundling.ts). This is the OAuth 2.0 client-credentials grant MSAL
 * performs for the same settings: one POST to the tenant's token endpoint,
 * the token reused until five minutes before it expires.
 */
import type { AuthConfiguration } from './agentsSdk.js';

/** The SDK's connection-manager shape (`Connections`), for the one connection Lights Out has. */
export interface TokenConnections {
  getConnection(name: string): ClientSecretTokenProvider;
  getDefaultConnection(): ClientSecretTokenProvider;
  getTokenProvider(identity: unknown, serviceUrl: string): ClientSecretTokenProvider;
  getTokenProviderFromActivity(identity: unknown, activity: unknown): ClientSecretTokenProvider;
  getDefaultConnectionConfiguration(): AuthConfiguration;
}

const REFRESH_BEFORE_EXPIRY_MS = 5 * 60_000;
const TOKEN_REQUEST_TIMEOUT_MS = 10_000;
const DEFAULT_AUTHORITY = 'https://login.microsoftonline.com';

export class TokenRequestError extends Error {
  constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = 'TokenRequestError';
  }
}

export class ClientSecretTokenProvider {
  private readonly cache = new Map<string, { token: string; refreshAt: number }>();

  constructor(
    readonly connectionSettings: AuthConfiguration,
    private readonly now: () => number = Date.now,
  ) {}

  /** `<authority>/<tenant>`; a multi-tenant registration (no tenant) uses Bot Framework's tenant, as the SDK does. */
  private tokenEndpoint(): string {
    const authority = (this.connectionSettings.authorityEndpoint ?? DEFAULT_AUTHORITY).replace(/\/+$/, '');
    const hasTenant = new URL(authority).pathname !== '/';
    const base = hasTenant
      ? authority
      : `${authority}/${this.connectionSettings.tenantId ?? 'botframework.com'}`;
    return `${base}/oauth2/v2.0/token`;
  }

  async getAccessToken(scopeOrSettings: string | AuthConfiguration, maybeScope?: string): Promise<string> {
    const resource = typeof scopeOrSettings === 'string' ? scopeOrSettings : (maybeScope ?? '');
    const scope = resource.endsWith('/.default') ? resource : `${resource}/.default`;
    const cached = this.cache.get(scope);
    if (cached && cached.refreshAt > this.now()) return cached.token;

    const { clientId, clientSecret } = this.connectionSettings;
    if (!clientId || !clientSecret)
      throw new TokenRequestError('the Teams client id and client secret are required');
    let res: Response;
    try {
      res = await fetch(this.tokenEndpoint(), {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        body: new URLSearchParams({
          grant_type: 'client_credentials',
          client_id: clientId,
          client_secret: clientSecret,
          scope,
        }),
        signal: AbortSignal.timeout(TOKEN_REQUEST_TIMEOUT_MS),
      });
    } catch (err) {
      throw new TokenRequestError(`the Entra token endpoint could not be reached for ${scope}`, {
        cause: err,
      });
    }
    const body = (await res.json().catch(() => ({}))) as {
      access_token?: string;
      expires_in?: number;
      error?: string;
    };
    if (!res.ok || typeof body.access_token !== 'string') {
      // Entra's error code (e.g. invalid_client) names the fix; its description can echo request details, so it stays out.
      throw new TokenRequestError(
        `Entra refused a token for ${scope}: ${res.status} ${body.error ?? 'no token'}`,
      );
    }
    const lifetimeMs = (typeof body.expires_in === 'number' ? body.expires_in : 3600) * 1000;
    this.cache.set(scope, {
      token: body.access_token,
      refreshAt: this.now() + Math.max(0, lifetimeMs - REFRESH_BEFORE_EXPIRY_MS),
    });
    return body.access_token;
  }

  async getAgenticApplicationToken(): Promise<string> {
    throw new TokenRequestError('agentic identities are not used by Lights Out');
  }

  async getAgenticInstanceToken(): Promise<string> {
    throw new TokenRequestError('agentic identities are not used by Lights Out');
  }

  async getAgenticUserToken(): Promise<string> {
    throw new TokenRequestError('agentic identities are not used by Lights Out');
  }

  async acquireTokenOnBehalfOf(): Promise<string> {
    throw new TokenRequestError('on-behalf-of tokens (user sign-in) are not used by Lights Out');
  }
}

/** Every connection lookup answers with the one provider. */
export function singleConnection(provider: ClientSecretTokenProvider): TokenConnections {
  return {
    getConnection: () => provider,
    getDefaultConnection: () => provider,
    getTokenProvider: () => provider,
    getTokenProviderFromActivity: () => provider,
    getDefaultConnectionConfiguration: () => provider.connectionSettings,
  };
}
