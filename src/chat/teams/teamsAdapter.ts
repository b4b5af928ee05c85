/**
 * The Agents SDK CloudAdapter, configured from TeamsConfig as one connection
 * (`serviceConnection`) that serves every service URL. With a client id every
 * inbound request's token is checked (teamsAuth.ts) and outbound calls get
 * tokens for that identity (client secret or user-assigned managed identity,
 * through MSAL); without one the adapter runs unauthenticated, which only
 * local trials and tests may do, and says so loudly.
 */
import type { TeamsConfig } from '../../config/teams.js';
import type { Log } from '../../log.js';
import {
  type AuthConfiguration,
  CloudAdapter,
  MessageFactory,
  OutboundHostValidator,
  type TurnContext,
} from './agentsSdk.js';
import { ClientSecretTokenProvider, singleConnection } from './clientCredentials.js';

const CONNECTION = 'serviceConnection';

export interface TeamsAdapterOptions {
  /** Overrides config.clientSecret (Lambda reads it from Secrets Manager). */
  clientSecret?: string;
  /**
   * Where outbound tokens come from: MSAL, as the SDK does (every auth type),
   * or the plain client-credentials grant (client secret only), which lets
   * the Lambda bundles leave MSAL out.
   */
  outboundTokens?: 'msal' | 'clientCredentials';
}

/** The SDK's connection settings for this bot; undefined in unauthenticated mode. */
export function teamsAuthConfiguration(
  config: TeamsConfig,
  opts: TeamsAdapterOptions = {},
): AuthConfiguration | undefined {
  if (!config.clientId) return undefined;
  const connection: AuthConfiguration = {
    clientId: config.clientId,
    tenantId: config.tenantId,
    authType: config.authType,
    ...(config.authType === 'ClientSecret' ? { clientSecret: opts.clientSecret ?? config.clientSecret } : {}),
    ...(config.authorityEndpoint ? { authorityEndpoint: config.authorityEndpoint } : {}),
  };
  return {
    ...connection,
    connections: new Map([[CONNECTION, connection]]),
    connectionsMap: [{ serviceUrl: '*', connection: CONNECTION }],
  };
}

export function createTeamsAdapter(
  config: TeamsConfig,
  log: Log,
  opts: TeamsAdapterOptions = {},
): { adapter: CloudAdapter; auth: AuthConfiguration | undefined } {
  for (const { name, use } of config.deprecatedNames) {
    log.warn('deprecated Teams setting: rename it', { setting: name, use });
  }
  const auth = teamsAuthConfiguration(config, opts);
  if (!auth) {
    log.warn(
      '!!! TEAMS IS UNAUTHENTICATED: no client id is set, so /api/messages accepts requests from anyone and no token is checked. Use this only for local trials and tests; set connections__serviceConnection__settings__clientId, __clientSecret and __tenantId before exposing the endpoint. !!!',
    );
  }
  // An explicit connection map even when anonymous: without one the SDK falls back to connections it finds in process.env.
  const adapter = new CloudAdapter(
    auth ?? {
      connections: new Map([[CONNECTION, {}]]),
      connectionsMap: [{ serviceUrl: '*', connection: CONNECTION }],
    },
    undefined,
    undefined,
    // The token's serviceurl claim must match the activity's, so a valid token cannot aim replies elsewhere.
    { emitStackTrace: false, validateServiceUrl: true },
    // Replies go to the service URL Teams names (checked above); an allow-list of hosts would also shut out sovereign clouds.
    new OutboundHostValidator({ enabled: false }),
  );
  if (auth && opts.outboundTokens === 'clientCredentials') {
    const { connections: _all, connectionsMap: _map, ...connection } = auth;
    adapter.connectionManager = singleConnection(
      new ClientSecretTokenProvider(connection),
    ) as unknown as CloudAdapter['connectionManager'];
  }
  adapter.onTurnError = async (context: TurnContext, error: Error) => {
    log.error('teams turn failed', {
      activityType: context.activity.type,
      activityName: context.activity.name,
      error: error.message,
    });
    // Invokes get their status from the adapter; a message deserves a visible answer.
    if (context.activity.type === 'message') {
      await context
        .sendActivity(
          MessageFactory.text(
            'Sorry, that failed on the Lights Out side; it has been logged. Try again in a minute.',
          ),
        )
        .catch(() => undefined);
    }
  };
  return { adapter, auth };
}
