/**
 * The Bot Framework CloudAdapter, configured from TeamsConfig. With an app id
 * every inbound request's token is validated by botbuilder (issuer, audience,
 * signing keys, service URL claim); without one the adapter runs
 * unauthenticated, which only local trials and tests may do, and says so loudly.
 */
import type { TeamsConfig } from '../../config/teams.js';
import type { Log } from '../../log.js';
import {
  CloudAdapter,
  ConfigurationBotFrameworkAuthentication,
  MessageFactory,
  type TurnContext,
} from './botFramework.js';

export interface TeamsAdapterOptions {
  /** Overrides config.appPassword (Lambda reads it from Secrets Manager). */
  appPassword?: string;
}

export function createTeamsAdapter(
  config: TeamsConfig,
  log: Log,
  opts: TeamsAdapterOptions = {},
): CloudAdapter {
  if (!config.appId) {
    log.warn(
      '!!! TEAMS IS UNAUTHENTICATED: MicrosoftAppId is not set, so /api/messages accepts requests from anyone and no token is checked. Use this only for local trials and tests; set MicrosoftAppId, MicrosoftAppPassword and MicrosoftAppTenantId before exposing the endpoint. !!!',
    );
  }
  // Without an app id botbuilder's anonymous mode needs the MultiTenant type; SingleTenant insists on an id.
  const auth = new ConfigurationBotFrameworkAuthentication(
    config.appId
      ? {
          MicrosoftAppId: config.appId,
          MicrosoftAppPassword: opts.appPassword ?? config.appPassword ?? '',
          MicrosoftAppTenantId: config.tenantId ?? '',
          MicrosoftAppType: config.appType,
        }
      : { MicrosoftAppId: '', MicrosoftAppPassword: '', MicrosoftAppType: 'MultiTenant' },
  );
  const adapter = new CloudAdapter(auth);
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
  return adapter;
}
