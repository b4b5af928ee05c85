/**
 * The Bot Framework SDK as Lights Out uses it, in one place. The `botbuilder`
 * barrel also loads what a Teams bot on Lambda never runs (the legacy
 * BotFrameworkAdapter's helpers, skills, SharePoint/SSO middleware, inspection,
 * transcript stores, channel service routes), and esbuild cannot drop unused
 * parts of a CommonJS package; importing the modules themselves keeps them out
 * of the Lambda bundles. `botbuilder` re-exports these same modules, so the
 * classes are identical to the barrel's.
 */
export { CloudAdapter } from 'botbuilder/lib/cloudAdapter.js';
export { TeamsActivityHandler } from 'botbuilder/lib/teamsActivityHandler.js';
export {
  type Activity,
  ActivityHandler,
  type AdaptiveCardInvokeResponse,
  CardFactory,
  ConfigurationBotFrameworkAuthentication,
  type ConversationReference,
  type InvokeResponse,
  MessageFactory,
  TurnContext,
} from 'botbuilder-core';
