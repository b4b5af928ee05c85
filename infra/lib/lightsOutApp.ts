/**
 * Builds the whole app: the Lights Out stack in the home region and a
 * forwarder stack in each extra region, with cdk-nag's AwsSolutions checks
 * applied to all of them. `bin/app.ts` calls this for `cdk synth/deploy`;
 * the tests call it with stub bundling.
 */
import { type App, Tags, Validations } from 'aws-cdk-lib';
import { AwsSolutionsChecks } from 'cdk-nag';
import type { Feature } from './features.js';
import type { BundlingMode } from './handlerFunction.js';
import { LightsOutStack } from './lightsOutStack.js';
import { RegionForwarderStack } from './regionForwarderStack.js';
import { homeRegion, type Settings } from './settings.js';

export interface LightsOutAppProps {
  settings: Settings;
  features: Feature[];
  bundling: BundlingMode;
  /** Account to deploy to; required when there are extra regions (cross-region event targets). */
  account?: string;
  stackName?: string;
  /** Run cdk-nag's AwsSolutions checks at synth (default true; the template tests skip them for speed). */
  nagChecks?: boolean;
}

export interface LightsOutStacks {
  main: LightsOutStack;
  forwarders: RegionForwarderStack[];
}

export function buildLightsOut(app: App, props: LightsOutAppProps): LightsOutStacks {
  const { settings } = props;
  const home = homeRegion(settings);
  const stackName = props.stackName ?? 'LightsOut';
  const main = new LightsOutStack(app, stackName, {
    env: { account: props.account, region: home },
    description: 'Lights Out: chat bot that keeps EC2 spend honest',
    settings,
    features: props.features,
    bundling: props.bundling,
  });
  const forwarders = settings.regions.slice(1).map((region) => {
    const stack = new RegionForwarderStack(app, `${stackName}-Forwarder-${region}`, {
      env: { account: props.account, region },
      description: `Lights Out: forwards EC2 state changes in ${region} to ${home}`,
      homeRegion: home,
    });
    Validations.of(stack).acknowledge({
      id: 'AwsSolutions-SQS3',
      reason: 'The queue is the dead-letter queue of the forwarding target.',
    });
    return stack;
  });
  Tags.of(app).add('app', 'lightsout');
  if (props.nagChecks ?? true) Validations.of(app).addPlugins(new AwsSolutionsChecks(app, { verbose: true }));
  return { main, forwarders };
}
