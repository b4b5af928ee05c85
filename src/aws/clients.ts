/**
 * SDK client construction in one place. Endpoints come from the SDK's own
 * standard settings (AWS_ENDPOINT_URL, AWS_ENDPOINT_URL_<SERVICE>), so tests
 * and LocalStack-style setups need no code branches. Adapters take clients as
 * constructor arguments; only wiring code calls these factories.
 *
 * This module imports every SDK client package statically, for the CLI and
 * the single process, where a synchronous factory is simplest. Code bundled
 * into a latency-sensitive Lambda function (the chat functions) imports
 * `./clientFactory.js` instead, whose EC2/SSM/Route53/Cloud Map factories
 * load their package at first use: any static import here runs at that
 * function's init, used or not.
 */
import { EC2Client } from '@aws-sdk/client-ec2';
import { Route53Client } from '@aws-sdk/client-route-53';
import { ServiceDiscoveryClient } from '@aws-sdk/client-servicediscovery';
import { SSMClient } from '@aws-sdk/client-ssm';
import { CLIENT_DEFAULTS, clientKey, memo, ROUTE53_REGION } from './clientFactory.js';

export {
  dynamoClient,
  dynamoDocumentClient,
  loadEc2Client,
  loadRoute53Client,
  loadServiceDiscoveryClient,
  loadSsmClient,
  schedulerClient,
  snsClient,
} from './clientFactory.js';

export const ec2Client = (region: string) =>
  memo(clientKey.ec2(region), () => new EC2Client({ region, ...CLIENT_DEFAULTS }));
export const ssmClient = (region: string) =>
  memo(clientKey.ssm(region), () => new SSMClient({ region, ...CLIENT_DEFAULTS }));
// Route53 is a global service whose API lives in us-east-1.
export const route53Client = () =>
  memo(clientKey.route53(), () => new Route53Client({ region: ROUTE53_REGION, ...CLIENT_DEFAULTS }));
/**
 * Cloud Map. `customEndpoint` (config `cloudMapCustomEndpoint`, true when
 * AWS_ENDPOINT_URL is set for LocalStack, a proxy or tests) disables the
 * `data-` host prefix that data-plane calls add, which such endpoints cannot serve.
 */
export const serviceDiscoveryClient = (region: string, opts: { customEndpoint?: boolean } = {}) =>
  memo(
    clientKey.serviceDiscovery(region, opts.customEndpoint),
    () =>
      new ServiceDiscoveryClient({
        region,
        ...CLIENT_DEFAULTS,
        disableHostPrefix: opts.customEndpoint === true,
      }),
  );
