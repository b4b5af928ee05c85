/**
 * The Microsoft 365 Agents SDK as Lights Out uses it, in one place, so the
 * rest of src/chat/teams names what it needs and a future SDK change stays a
 * change to this folder. Only the core packages: the Teams extension package
 * is deprecated and its successor is not served by every registry, and the
 * core `ActivityHandler` already routes installation updates, member changes
 * and `adaptiveCard/action` invokes.
 */
export {
  Activity,
  type ConversationParameters,
  type ConversationReference,
  type Mention,
} from '@microsoft/agents-activity';
export {
  ActivityHandler,
  type AdaptiveCardInvokeResponse,
  type AuthConfiguration,
  authorizeJWT,
  buildJwksUri,
  CardFactory,
  CloudAdapter,
  type InvokeResponse,
  MessageFactory,
  OutboundHostValidator,
  TurnContext,
} from '@microsoft/agents-hosting';
