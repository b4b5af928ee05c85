/**
 * The webhook cleanup hook: POSTs a JSON description of the terminated
 * instance to the configured URLs, for the Chef/Consul-style cleanups users
 * write themselves.
 *
 * Every request is signed so receivers can tell it came from Lights Out and was
 * not replayed:
 *   X-LightsOut-Timestamp: <unix seconds>
 *   X-LightsOut-Signature: sha256=<hex HMAC-SHA256 of "<timestamp>.<raw body>" with the shared secret>
 *   X-LightsOut-Delivery:  <stable id per instance run and URL; the same on retries, for de-duplication>
 * Receivers recompute the HMAC over the raw body, compare in constant time and
 * reject timestamps older than a few minutes (`verifyWebhookSignature` below).
 */
import { createHash, createHmac, timingSafeEqual } from 'node:crypto';
import { LightsOutError, TransientError } from '../../core/errors.js';
import type { InstanceRecord } from '../../core/instance.js';

export const SIGNATURE_HEADER = 'X-LightsOut-Signature';
export const TIMESTAMP_HEADER = 'X-LightsOut-Timestamp';
export const DELIVERY_HEADER = 'X-LightsOut-Delivery';
export const EVENT_HEADER = 'X-LightsOut-Event';

/** The receiver answered with a status that retrying will not change (4xx other than 408/429). */
export class WebhookRejectedError extends LightsOutError {
  constructor(
    message: string,
    readonly status: number,
    options?: { cause?: unknown },
  ) {
    super('webhook_rejected', message, options);
  }
}

/** The JSON body receivers get. */
export interface WebhookPayload {
  event: 'instance.terminated';
  instanceId: string;
  region: string;
  name?: string;
  group: string;
  launchTime: string;
  terminatedAt: string;
  privateIp?: string;
  publicIp?: string;
  accountId?: string;
  tags: Record<string, string>;
}

export function webhookPayload(record: InstanceRecord, terminatedAt: string): WebhookPayload {
  return {
    event: 'instance.terminated',
    instanceId: record.instanceId,
    region: record.region,
    name: record.name,
    group: record.group,
    launchTime: record.launchTime,
    terminatedAt,
    privateIp: record.privateIp,
    publicIp: record.publicIp,
    accountId: record.accountId,
    tags: { ...record.tags },
  };
}

/** `sha256=<hex>` over `<timestamp>.<body>`. */
export function signWebhook(secret: string, timestamp: number, body: string): string {
  return `sha256=${createHmac('sha256', secret).update(`${timestamp}.${body}`).digest('hex')}`;
}

/**
 * What a receiver does (also usable by receivers written in TypeScript):
 * true when the signature matches the raw body and the timestamp is within
 * `toleranceSeconds` of `nowSeconds`.
 */
export function verifyWebhookSignature(opts: {
  secret: string;
  body: string;
  signature: string | undefined;
  timestamp: string | undefined;
  nowSeconds: number;
  toleranceSeconds?: number;
}): boolean {
  const ts = Number(opts.timestamp);
  if (!opts.signature || !Number.isInteger(ts)) return false;
  if (Math.abs(opts.nowSeconds - ts) > (opts.toleranceSeconds ?? 300)) return false;
  const expected = Buffer.from(signWebhook(opts.secret, ts, opts.body));
  const given = Buffer.from(opts.signature);
  return expected.length === given.length && timingSafeEqual(expected, given);
}

/** Stable per (run, url): a retried or re-run delivery carries the same id. */
export function deliveryId(
  record: Pick<InstanceRecord, 'region' | 'instanceId' | 'launchTime'>,
  url: string,
) {
  return createHash('sha256')
    .update(`${record.region}/${record.instanceId}/${record.launchTime}\n${url}`)
    .digest('hex')
    .slice(0, 32);
}

/** URL without credentials or query, for chat lines and logs. */
export function displayUrl(url: string): string {
  try {
    const u = new URL(url);
    return `${u.protocol}//${u.host}${u.pathname}`;
  } catch {
    return '(invalid URL)';
  }
}

export class WebhookSender {
  constructor(
    private readonly opts: {
      secret: string;
      timeoutMs: number;
      /** Seconds since the epoch; from the service clock. */
      nowSeconds: () => number;
    },
  ) {}

  /** POSTs once; throws TransientError (retry) or WebhookRejectedError (do not). Returns the HTTP status. */
  async post(url: string, payload: WebhookPayload, delivery: string): Promise<number> {
    const body = JSON.stringify(payload);
    const timestamp = this.opts.nowSeconds();
    let res: Response;
    try {
      res = await fetch(url, {
        method: 'POST',
        body,
        redirect: 'error',
        signal: AbortSignal.timeout(this.opts.timeoutMs),
        headers: {
          'content-type': 'application/json',
          'user-agent': 'lightsout-cleanup',
          [TIMESTAMP_HEADER]: String(timestamp),
          [SIGNATURE_HEADER]: signWebhook(this.opts.secret, timestamp, body),
          [DELIVERY_HEADER]: delivery,
          [EVENT_HEADER]: payload.event,
        },
      });
    } catch (err) {
      const why = err instanceof Error && err.name === 'TimeoutError' ? 'timed out' : 'could not connect';
      throw new TransientError(`webhook ${displayUrl(url)} ${why}`, { cause: err });
    }
    // The body is not needed; drain it so the connection is released.
    await res.arrayBuffer().catch(() => undefined);
    if (res.ok) return res.status;
    if (res.status >= 500 || res.status === 408 || res.status === 429) {
      throw new TransientError(`webhook ${displayUrl(url)} answered HTTP ${res.status}`);
    }
    throw new WebhookRejectedError(`webhook ${displayUrl(url)} answered HTTP ${res.status}`, res.status);
  }
}
