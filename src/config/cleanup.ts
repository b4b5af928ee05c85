/**
 * Cleanup after termination (Route53, Cloud Map, webhooks) and the Cloud Map
 * reconciler. Everything is optional: with nothing set, the hooks still act on
 * the instance's own `DnsRecords` and `CloudMapService` tags.
 */
import { type CloudMapServiceRef, parseCloudMapServices } from '../core/cleanup/cloudMapServiceTag.js';
import { normalizeZoneId } from '../core/cleanup/dnsRecordsTag.js';
import type { EnvReader } from './env.js';

export interface CleanupConfig {
  /** CLEANUP_ENABLED=false turns the termination hooks off (the reconciler is unaffected). */
  enabled: boolean;
  /** CLEANUP_DRY_RUN=true: hooks report what they would remove and change nothing. */
  dryRun: boolean;
  /** Hosted zones scanned for A/AAAA records holding a terminated instance's IP. */
  hostedZoneIds: string[];
  /** Cloud Map services every terminated instance is deregistered from; also what the scheduled reconciler checks. */
  cloudMapServices: CloudMapServiceRef[];
  webhookUrls: string[];
  /** Single process and CLI: the HMAC secret itself. */
  webhookSecret?: string;
  /** Lambda: Secrets Manager secret (JSON `{"webhookSecret": "…"}`) read at cold start. */
  webhookSecretArn?: string;
  webhookTimeoutMs: number;
  retry: { attempts: number; baseDelayMs: number; maxDelayMs: number };
  /**
   * Cloud Map's data-plane operations put a `data-` host prefix on the endpoint,
   * which a custom endpoint (LocalStack, a proxy, moto in tests) cannot serve;
   * when AWS_ENDPOINT_URL(_SERVICEDISCOVERY) is set the client disables it.
   */
  cloudMapCustomEndpoint: boolean;
}

const ZONE_RE = /^[A-Z0-9]{1,32}$/;

export function readCleanupConfig(r: EnvReader): CleanupConfig {
  const home = r.string('AWS_REGION') ?? r.string('AWS_DEFAULT_REGION') ?? 'us-east-1';

  const hostedZoneIds = r.list('CLEANUP_HOSTED_ZONES').map(normalizeZoneId);
  for (const zone of hostedZoneIds) {
    if (!ZONE_RE.test(zone)) {
      r.problems.push(
        `CLEANUP_HOSTED_ZONES must list Route53 hosted zone ids such as Z0123456789ABC; got "${zone}"`,
      );
    }
  }

  const services = parseCloudMapServices(
    r.string('CLEANUP_CLOUDMAP_SERVICES'),
    home,
    'CLEANUP_CLOUDMAP_SERVICES',
  );
  r.problems.push(...services.warnings.map((w) => w.replace(/; ignored$/, '')));

  const webhookUrls = r.list('CLEANUP_WEBHOOK_URLS');
  for (const url of webhookUrls) {
    let parsed: URL | undefined;
    try {
      parsed = new URL(url);
    } catch {
      parsed = undefined;
    }
    if (!parsed || !['http:', 'https:'].includes(parsed.protocol)) {
      r.problems.push(`CLEANUP_WEBHOOK_URLS must list http(s) URLs separated by commas; got "${url}"`);
    } else if (parsed.username || parsed.password) {
      // fetch refuses such URLs, and the signature already proves who is calling.
      r.problems.push(
        `CLEANUP_WEBHOOK_URLS must not carry credentials (user:password@); receivers verify X-LightsOut-Signature instead`,
      );
    }
  }
  const webhookSecret = r.string('WEBHOOK_SECRET');
  const webhookSecretArn = r.matching(
    'WEBHOOK_SECRET_ARN',
    /^arn:aws[\w-]*:secretsmanager:/,
    'a Secrets Manager secret ARN',
  );
  if (webhookUrls.length && !webhookSecret && !webhookSecretArn) {
    r.problems.push(
      'WEBHOOK_SECRET is required when CLEANUP_WEBHOOK_URLS is set: the shared secret receivers use to verify ' +
        'the X-LightsOut-Signature header (in Lambda, set WEBHOOK_SECRET_ARN to a JSON secret {"webhookSecret": "…"})',
    );
  }
  if (webhookSecret !== undefined && webhookSecret.length < 16) {
    r.problems.push(
      'WEBHOOK_SECRET must be at least 16 characters (a random string, e.g. `openssl rand -hex 32`)',
    );
  }

  const baseDelaySeconds = r.duration('CLEANUP_RETRY_BACKOFF', 1, { bareUnit: 's', maxSeconds: 60 });
  return {
    enabled: r.bool('CLEANUP_ENABLED', true),
    dryRun: r.bool('CLEANUP_DRY_RUN', false),
    hostedZoneIds,
    cloudMapServices: services.refs,
    webhookUrls,
    webhookSecret,
    webhookSecretArn,
    webhookTimeoutMs:
      r.duration('CLEANUP_WEBHOOK_TIMEOUT', 10, { bareUnit: 's', minSeconds: 1, maxSeconds: 60 }) * 1000,
    retry: {
      attempts: r.int('CLEANUP_RETRY_ATTEMPTS', 4, { min: 1, max: 10 }),
      baseDelayMs: baseDelaySeconds * 1000,
      maxDelayMs: 30_000,
    },
    cloudMapCustomEndpoint: r.has('AWS_ENDPOINT_URL_SERVICEDISCOVERY') || r.has('AWS_ENDPOINT_URL'),
  };
}
