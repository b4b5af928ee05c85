/**
 * `/ec2 digest` in the chat functions: the settings are written here, and
 * `digest now` asks the digest function (which alone carries the chart
 * renderer) to post it, with an asynchronous invocation, so the command is
 * answered at once.
 */
import { loadLambdaClient, loadLambdaSdk } from '../aws/clients.js';
import { DynamoDigestSettingsStore } from '../aws/dynamodb/digestSettingsStore.js';
import { awsCall } from '../aws/errors.js';
import type { CommandExtension } from '../chat/core/commandExtension.js';
import { digestCommands } from '../chat/core/digestCommands.js';
import type { Config } from '../config/index.js';
import type { Clock } from '../ports/clock.js';
import type { SubscriptionStore } from '../ports/subscriptionStore.js';
import type { DigestEvent } from './digestRuntime.js';

export function lambdaDigestCommands(
  config: Config,
  deps: {
    doc: ConstructorParameters<typeof DynamoDigestSettingsStore>[0];
    subscriptions: SubscriptionStore;
    clock: Clock;
  },
): CommandExtension | undefined {
  const functionArn = config.digest.functionArn;
  if (!functionArn || !config.store.tableName) return undefined;
  const region = functionArn.split(':')[3] || (config.monitor.regions[0] ?? 'us-east-1');
  return digestCommands({
    settings: new DynamoDigestSettingsStore(deps.doc, config.store.tableName),
    subscriptions: deps.subscriptions,
    defaults: { cadence: config.digest.defaultCadence, timeZone: config.digest.timeZone },
    clock: deps.clock,
    digests: {
      async sendNow(channel) {
        const [{ InvokeCommand }, client] = await Promise.all([
          loadLambdaSdk(),
          loadLambdaClient(region, {}),
        ]);
        const event: DigestEvent = { sendNow: { platform: channel.platform, channelId: channel.channelId } };
        await awsCall(`Invoke ${functionArn} (digest now)`, () =>
          client.send(
            new InvokeCommand({
              FunctionName: functionArn,
              InvocationType: 'Event',
              Payload: new TextEncoder().encode(JSON.stringify(event)),
            }),
          ),
        );
        return undefined;
      },
    },
  });
}
