import { AllocateAddressCommand } from '@aws-sdk/client-ec2';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { CloudMapRegistry } from '../../../src/aws/cloudMapRegistry.js';
import { Ec2AddressOwners } from '../../../src/aws/ec2AddressOwners.js';
import { Route53Records } from '../../../src/aws/route53Records.js';
import { TransientError } from '../../../src/core/errors.js';
import type { DomainEvent } from '../../../src/core/events.js';
import type { InstanceRecord } from '../../../src/core/instance.js';
import type { DnsZones } from '../../../src/ports/dnsZones.js';
import {
  DecommissionService,
  type DecommissionSettings,
} from '../../../src/services/cleanup/decommission.js';
import {
  SIGNATURE_HEADER,
  TIMESTAMP_HEADER,
  verifyWebhookSignature,
  WebhookSender,
} from '../../../src/services/cleanup/webhookHook.js';
import { SqliteAuditLog } from '../../../src/sqlite/auditLog.js';
import { openDatabase } from '../../../src/sqlite/database.js';
import { SqliteCleanupOutcomeStore } from '../../../src/sqlite/sqliteCleanupOutcomeStore.js';
import { cleanupWorld, terminatedRecord } from '../../support/cleanupWorld.js';
import { useMoto } from '../../support/moto.js';
import { startWebhookReceiver } from '../../support/webhookReceiver.js';

const SECRET = 'test-secret-0123456789abcdef';
const NOW = new Date('2026-11-20T18:00:05.000Z');

describe('DecommissionService (moto, loopback webhook)', () => {
  const moto = useMoto();
  const world = cleanupWorld(moto);
  let receiver: Awaited<ReturnType<typeof startWebhookReceiver>> | undefined;
  beforeEach(() => moto.reset());
  afterEach(async () => {
    await receiver?.close();
    receiver = undefined;
  });

  function build(
    settings: Partial<DecommissionSettings> = {},
    dns: DnsZones = new Route53Records(world.route53()),
  ) {
    const published: DomainEvent[] = [];
    const sleeps: number[] = [];
    const db = openDatabase(':memory:');
    const store = new SqliteCleanupOutcomeStore(db);
    const audit = new SqliteAuditLog(db);
    const service = new DecommissionService({
      dns,
      addresses: new Ec2AddressOwners((region) => world.ec2(region)),
      registry: new CloudMapRegistry((region) => world.cloudMap(region)),
      webhook: new WebhookSender({
        secret: SECRET,
        timeoutMs: 5000,
        nowSeconds: () => Math.floor(NOW.getTime() / 1000),
      }),
      outcomes: store,
      audit,
      events: { publish: async (e) => void published.push(e) },
      clock: () => NOW,
      sleep: async (ms) => void sleeps.push(ms),
      random: () => 1,
      settings: {
        enabled: true,
        dryRun: false,
        hostedZoneIds: [],
        cloudMapServices: [],
        webhookUrls: [],
        retry: { attempts: 3, baseDelayMs: 1000, maxDelayMs: 30_000 },
        ...settings,
      },
    });
    return { service, published, sleeps, store, audit };
  }

  async function arrange() {
    const internal = await world.createZone('internal.');
    const scanned = await world.createZone('example.com.');
    await world.putA(internal, 'web-1.internal.', ['10.0.0.5']);
    await world.putA(internal, 'db.internal.', ['10.0.0.8']);
    await world.putA(scanned, 'web.example.com.', ['54.1.2.3', '54.9.9.9']);
    await world.putA(scanned, 'old.example.com.', ['10.0.0.5']);
    await world.putA(scanned, 'other.example.com.', ['54.9.9.9']);
    const tagged = await world.createService('web');
    const configured = await world.createService('api');
    await world.register(tagged, 'i-0abc1234def567890', { AWS_INSTANCE_IPV4: '10.0.0.5' });
    await world.register(tagged, 'i-0fff1234def567890', { AWS_INSTANCE_IPV4: '10.0.0.6' });
    await world.register(configured, 'i-0abc1234def567890', { AWS_INSTANCE_IPV4: '10.0.0.5' });
    const record: InstanceRecord = terminatedRecord({
      tags: { Name: 'web-1', DnsRecords: `${internal}:web-1.internal`, CloudMapService: tagged },
    });
    return { internal, scanned, tagged, configured, record };
  }

  it('removes tagged and IP-matched records, trims a shared record, deregisters and calls the webhook', async () => {
    const { internal, scanned, tagged, configured, record } = await arrange();
    receiver = await startWebhookReceiver();
    const { service, published, store, audit } = build({
      hostedZoneIds: [scanned],
      cloudMapServices: [{ serviceId: configured, region: 'us-east-1' }],
      webhookUrls: [receiver.url],
    });

    const result = await service.onTerminated({
      type: 'instance.terminated',
      record,
      runtimeSeconds: 36_000,
      at: NOW.toISOString(),
    });

    expect(result.ok).toBe(true);
    expect(await world.records(internal)).toEqual({ 'db.internal. A': ['10.0.0.8'] });
    expect(await world.records(scanned)).toEqual({
      'web.example.com. A': ['54.9.9.9'],
      'other.example.com. A': ['54.9.9.9'],
    });
    expect(await world.registered(tagged)).toEqual(['i-0fff1234def567890']);
    expect(await world.registered(configured)).toEqual([]);
    expect(result.summary).toBe(
      `i-0abc1234def567890 (web-1) terminated · removed web-1.internal A · removed old.example.com A · ` +
        `removed 54.1.2.3 from web.example.com A · deregistered from ${tagged} · deregistered from ${configured} · webhook ok`,
    );
    expect(published).toHaveLength(1);
    expect(published[0]).toMatchObject({
      type: 'instance.cleaned-up',
      record: { instanceId: record.instanceId },
    });
    expect((await store.get(record))?.ok).toBe(true);
    expect(await audit.recent(5)).toEqual([
      expect.objectContaining({
        actor: 'lightsout:cleanup',
        action: 'decommission',
        target: 'us-east-1/i-0abc1234def567890',
        result: 'ok',
        detail: result.summary,
      }),
    ]);
  });

  it('signs the webhook so a receiver can verify it', async () => {
    const { record } = await arrange();
    receiver = await startWebhookReceiver();
    const { service } = build({ webhookUrls: [receiver.url] });

    await service.decommission(record, { terminatedAt: NOW.toISOString() });

    const [request] = receiver.received;
    expect(request?.method).toBe('POST');
    expect(JSON.parse(request?.body ?? '{}')).toMatchObject({
      event: 'instance.terminated',
      instanceId: record.instanceId,
      privateIp: '10.0.0.5',
      publicIp: '54.1.2.3',
    });
    const verify = (secret: string, body = request?.body ?? '') =>
      verifyWebhookSignature({
        secret,
        body,
        signature: request?.headers[SIGNATURE_HEADER.toLowerCase()] as string,
        timestamp: request?.headers[TIMESTAMP_HEADER.toLowerCase()] as string,
        nowSeconds: Math.floor(NOW.getTime() / 1000) + 10,
      });
    expect(verify(SECRET)).toBe(true);
    expect(verify('another-secret-0123456789')).toBe(false);
    expect(verify(SECRET, `${request?.body} `)).toBe(false);
  });

  it('is idempotent: a re-run changes nothing and a redelivered event is not acted on twice', async () => {
    const { internal, scanned, record } = await arrange();
    const { service, published } = build({ hostedZoneIds: [scanned] });
    const event = { type: 'instance.terminated' as const, record, runtimeSeconds: 1, at: NOW.toISOString() };
    await service.onTerminated(event);
    const afterFirst = { internal: await world.records(internal), scanned: await world.records(scanned) };

    const rerun = await service.decommission(record);
    const redelivered = await service.onTerminated(event);

    expect(rerun.ok).toBe(true);
    expect(rerun.summary).toBe('i-0abc1234def567890 (web-1) terminated · nothing to clean up');
    expect(redelivered.skipped).toContain('already cleaned up');
    expect({ internal: await world.records(internal), scanned: await world.records(scanned) }).toEqual(
      afterFirst,
    );
    expect(published).toHaveLength(1);
  });

  it('retries a failing webhook with backoff, and reports one that keeps failing', async () => {
    const { record } = await arrange();
    receiver = await startWebhookReceiver([503, 200]);
    const flaky = build({ webhookUrls: [receiver.url] });

    const recovered = await flaky.service.decommission(record);

    expect(recovered.outcomes.find((o) => o.hook === 'webhook')).toMatchObject({
      ok: true,
      summary: 'webhook ok',
    });
    expect(receiver.received).toHaveLength(2);
    expect(receiver.received[0]?.headers['x-lightsout-delivery']).toBe(
      receiver.received[1]?.headers['x-lightsout-delivery'],
    );
    expect(flaky.sleeps).toEqual([1000]);

    await receiver.close();
    receiver = await startWebhookReceiver([500, 500, 500]);
    const broken = build({ webhookUrls: [receiver.url] });

    const failed = await broken.service.decommission(record);

    expect(failed.ok).toBe(false);
    expect(failed.summary).toContain('webhook failed: answered HTTP 500');
    expect(broken.sleeps).toEqual([1000, 2000]);
    expect(broken.published[0]).toMatchObject({
      type: 'instance.cleaned-up',
      outcomes: expect.arrayContaining([
        { hook: 'webhook', ok: false, summary: 'webhook failed: answered HTTP 500' },
      ]),
    });
  });

  it('does not retry a webhook the receiver rejects, and keeps going after a missing zone', async () => {
    const { record } = await arrange();
    receiver = await startWebhookReceiver([403]);
    const { service, sleeps } = build({ hostedZoneIds: ['ZNOSUCHZONE1'], webhookUrls: [receiver.url] });

    const result = await service.decommission(record);

    expect(sleeps).toEqual([]);
    expect(result.outcomes.filter((o) => !o.ok).map((o) => o.summary)).toEqual([
      expect.stringContaining(
        'DNS cleanup in ZNOSUCHZONE1 failed: ListResourceRecordSets ZNOSUCHZONE1 failed: hosted zone ZNOSUCHZONE1 does not exist',
      ),
      'webhook failed: answered HTTP 403',
    ]);
    expect(result.outcomes.some((o) => o.summary === 'removed web-1.internal A')).toBe(true);
  });

  it('retries a throttled Route53 change, re-planning from a fresh listing', async () => {
    const { internal, scanned, record } = await arrange();
    const real = new Route53Records(world.route53());
    let lists = 0;
    let failNextDelete = true;
    // Real Route53 (moto) behind a wrapper that throttles the first delete, as Route53 does under load.
    const throttledOnce: DnsZones = {
      listRecords: (zoneId) => {
        lists++;
        return real.listRecords(zoneId);
      },
      deleteRecord: async (zoneId, r) => {
        if (failNextDelete) {
          failNextDelete = false;
          throw new TransientError('ChangeResourceRecordSets failed: Throttling: Rate exceeded');
        }
        return real.deleteRecord(zoneId, r);
      },
      replaceRecord: (zoneId, before, after) => real.replaceRecord(zoneId, before, after),
    };
    const { service, sleeps } = build({ hostedZoneIds: [scanned] }, throttledOnce);

    const result = await service.decommission(record);

    expect(result.ok).toBe(true);
    expect(sleeps).toEqual([1000]);
    expect(lists).toBe(3);
    expect(await world.records(internal)).toEqual({ 'db.internal. A': ['10.0.0.8'] });
    expect(result.outcomes.filter((o) => o.changed).map((o) => o.summary)).toContain(
      'removed web-1.internal A',
    );
  });

  it('leaves records whose IP now belongs to another instance or to an Elastic IP', async () => {
    const successor = await world.runInstance();
    const eip = await world.ec2().send(new AllocateAddressCommand({ Domain: 'vpc' }));
    const zoneId = await world.createZone('internal.');
    await world.putA(zoneId, 'web-1.internal.', [successor.privateIp ?? '']);
    await world.putA(zoneId, 'api.internal.', [eip.PublicIp ?? '']);
    const record = terminatedRecord({
      privateIp: successor.privateIp,
      publicIp: eip.PublicIp,
      tags: { Name: 'web-1', DnsRecords: `${zoneId}:web-1.internal` },
    });
    const { service } = build({ hostedZoneIds: [zoneId] });

    const result = await service.decommission(record);

    expect(await world.records(zoneId)).toEqual({
      'web-1.internal. A': [successor.privateIp],
      'api.internal. A': [eip.PublicIp],
    });
    expect(result.outcomes.map((o) => o.summary)).toEqual(
      expect.arrayContaining([
        `web-1.internal A points at ${successor.privateIp}, now held by ${successor.instanceId} (running); left alone`,
        `api.internal A points at ${eip.PublicIp}, now held by Elastic IP ${eip.AllocationId}, still allocated to the account; left alone`,
      ]),
    );
    // Left alone on purpose is worth telling the channel.
    expect(result.summary).toContain(`web-1.internal A points at ${successor.privateIp}, now held by`);
  });

  it('dry run shows what would be removed and changes nothing', async () => {
    const { internal, scanned, tagged, record } = await arrange();
    receiver = await startWebhookReceiver();
    const { service, published, store, audit } = build({
      hostedZoneIds: [scanned],
      webhookUrls: [receiver.url],
    });
    const before = { internal: await world.records(internal), scanned: await world.records(scanned) };

    const result = await service.decommission(record, { dryRun: true });

    expect(result.outcomes.filter((o) => o.changed).map((o) => o.summary)).toEqual([
      'would remove web-1.internal A',
      'would remove old.example.com A',
      'would remove 54.1.2.3 from web.example.com A',
      `would deregister from ${tagged}`,
      `would POST to ${receiver.url}`,
    ]);
    expect({ internal: await world.records(internal), scanned: await world.records(scanned) }).toEqual(
      before,
    );
    expect(await world.registered(tagged)).toHaveLength(2);
    expect(receiver.received).toEqual([]);
    expect(published).toEqual([]);
    expect(await store.get(record)).toBeUndefined();
    expect(await audit.recent(5)).toEqual([]);
  });
});
