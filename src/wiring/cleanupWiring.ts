/**
 * Builds the cleanup hooks on AWS clients from config, for every runtime:
 * the decommission Lambda, the single process and `lightsout decommission`.
 * Only the outcome store and the event publisher differ per runtime, so they
 * are passed in.
 */
import { SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { loadEc2Client, loadRoute53Client, loadServiceDiscoveryClient } from '../aws/clients.js';
import { CloudMapRegistry } from '../aws/cloudMapRegistry.js';
import { Ec2AddressOwners } from '../aws/ec2AddressOwners.js';
import { Route53Records } from '../aws/route53Records.js';
import { readWebhookSecret } from '../aws/webhookSecret.js';
import type { CleanupConfig } from '../config/cleanup.js';
import { realSleep, type Sleep } from '../core/retry.js';
import type { Log } from '../log.js';
import type { AuditLog } from '../ports/auditLog.js';
import type { CleanupOutcomeStore } from '../ports/cleanupOutcomeStore.js';
import { type Clock, systemClock } from '../ports/clock.js';
import type { DomainEventPublisher } from '../ports/notifier.js';
import { DecommissionService } from '../services/cleanup/decommission.js';
import { WebhookSender } from '../services/cleanup/webhookHook.js';

export interface CleanupWiring {
  config: CleanupConfig;
  outcomes: CleanupOutcomeStore;
  audit?: AuditLog;
  events: DomainEventPublisher;
  log?: Log;
  clock?: Clock;
  sleep?: Sleep;
  /** Region of the Secrets Manager secret (the home region). */
  homeRegion: string;
}

/** The webhook secret: WEBHOOK_SECRET, else the WEBHOOK_SECRET_ARN secret; undefined when neither is set. */
export async function resolveWebhookSecret(
  config: CleanupConfig,
  homeRegion: string,
): Promise<string | undefined> {
  if (config.webhookSecret) return config.webhookSecret;
  if (!config.webhookSecretArn) return undefined;
  const region = config.webhookSecretArn.split(':')[3] || homeRegion;
  // Used once per cold start, so not worth a cached factory in clients.ts.
  return readWebhookSecret(new SecretsManagerClient({ region }), config.webhookSecretArn);
}

export async function buildDecommissionService(w: CleanupWiring): Promise<DecommissionService> {
  const { config } = w;
  const clock = w.clock ?? systemClock;
  const secret = config.webhookUrls.length ? await resolveWebhookSecret(config, w.homeRegion) : undefined;
  return new DecommissionService({
    dns: new Route53Records(loadRoute53Client),
    addresses: new Ec2AddressOwners(loadEc2Client),
    registry: new CloudMapRegistry((region) =>
      loadServiceDiscoveryClient(region, { customEndpoint: config.cloudMapCustomEndpoint }),
    ),
    webhook: secret
      ? new WebhookSender({
          secret,
          timeoutMs: config.webhookTimeoutMs,
          nowSeconds: () => Math.floor(clock().getTime() / 1000),
        })
      : undefined,
    outcomes: w.outcomes,
    audit: w.audit,
    events: w.events,
    clock,
    sleep: w.sleep ?? realSleep,
    settings: config,
    log: w.log,
  });
}
