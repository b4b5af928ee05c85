/**
 * Microsoft Teams: `teamsMessages` is the Bot Framework messaging endpoint
 * (commands and card buttons) behind a Function URL. Outbound posts to Teams
 * channels are made by `chatNotify` (chat.ts).
 */
import { Duration } from 'aws-cdk-lib';
import type * as lambda from 'aws-cdk-lib/aws-lambda';
import { Construct } from 'constructs';
import { chatFunction } from './chatRuntime.js';
import { chatWorkTimeout } from './chatWorkTimeout.js';
import type { HandlerFunction } from './handlerFunction.js';
import { publicFunctionUrl } from './publicEndpoint.js';
import type { SharedResources } from './sharedResources.js';

export class Teams extends Construct {
  readonly teamsMessages: HandlerFunction;
  readonly url: lambda.FunctionUrl;

  constructor(scope: Construct, id: string, shared: SharedResources) {
    super(scope, id);
    this.teamsMessages = chatFunction(this, 'TeamsMessages', shared, {
      handler: 'teamsMessages',
      description: 'Teams bot messages and card actions (Function URL)',
      // Requests are answered within the 2 s budget; a handed-off click then keeps trying while
      // AWS fails for up to CHAT_ACTION_DEADLINE and one try more (chatWorkTimeout.ts).
      timeout: Duration.seconds(chatWorkTimeout(shared.settings.functionEnvironment).seconds),
      // The Agents SDK loads at init here (JWT checks, the CloudAdapter); more memory means more CPU for the cold start.
      memorySize: 1024,
      canStopInstances: true,
      handsOffWork: true,
    });
    this.url = publicFunctionUrl(
      this.teamsMessages.fn,
      'the Bot Framework JWT in Authorization (Microsoft signing keys, issuer, audience = our App ID)',
    );
  }
}
