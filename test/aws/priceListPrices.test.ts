import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { configureAwsClients, loadPricingClient } from '../../src/aws/clients.js';
import { lowestHourlyUsd, PriceListOnDemandPrices } from '../../src/aws/priceListPrices.js';
import { DEFAULT_AWS_CLIENT_SETTINGS } from '../../src/config/aws.js';
import { AccessDeniedError } from '../../src/core/errors.js';
import type { OnDemandQuery } from '../../src/core/priceLookup.js';
import { priceListDocument, useFakePricingApi } from '../support/fakePricingApi.js';

const M5_LINUX: OnDemandQuery = {
  instanceType: 'm5.large',
  regionCode: 'eu-west-1',
  operatingSystem: 'Linux',
  licenseModel: 'No License required',
  preInstalledSw: 'NA',
  tenancy: 'Shared',
  capacitystatus: 'Used',
};

describe('On-Demand prices from the Price List API (loopback GetProducts)', () => {
  const fake = useFakePricingApi();
  const saved: Record<string, string | undefined> = {};
  const env = {
    AWS_ENDPOINT_URL_PRICING: '',
    AWS_ACCESS_KEY_ID: 'testing',
    AWS_SECRET_ACCESS_KEY: 'testing',
  };

  beforeAll(() => {
    // The SDK itself reads AWS_ENDPOINT_URL_PRICING: production code has no endpoint setting of its own.
    env.AWS_ENDPOINT_URL_PRICING = fake.api.url;
    for (const [k, v] of Object.entries(env)) {
      saved[k] = process.env[k];
      process.env[k] = v;
    }
    configureAwsClients({ ...DEFAULT_AWS_CLIENT_SETTINGS, maxAttempts: 1 });
  });
  afterAll(() => {
    for (const [k, v] of Object.entries(saved)) {
      if (v === undefined) delete process.env[k];
      else process.env[k] = v;
    }
    configureAwsClients(DEFAULT_AWS_CLIENT_SETTINGS);
  });

  const prices = () => new PriceListOnDemandPrices(loadPricingClient);

  it('asks for the one product with a TERM_MATCH filter per attribute and reads its OnDemand rate', async () => {
    // Arrange
    fake.api.addEc2('m5.large', 'eu-west-1', '0.1070000000');
    fake.api.addEc2('m5.large', 'eu-west-1', '0.2030000000', { operatingSystem: 'Windows' });
    fake.api.addEc2('m5.large', 'eu-west-1', '0.1130000000', { tenancy: 'Dedicated' });
    fake.api.addEc2('m5.large', 'us-east-1', '0.0960000000');
    const source = prices();

    // Act
    const usd = await source.onDemandHourlyUsd(M5_LINUX);

    // Assert
    expect(usd).toBe(0.107);
    expect(source.stats.getProductsCalls).toBe(1);
    expect(fake.api.requests).toEqual([
      {
        ServiceCode: 'AmazonEC2',
        FormatVersion: 'aws_v1',
        MaxResults: 10,
        Filters: [
          { Type: 'TERM_MATCH', Field: 'instanceType', Value: 'm5.large' },
          { Type: 'TERM_MATCH', Field: 'regionCode', Value: 'eu-west-1' },
          { Type: 'TERM_MATCH', Field: 'operatingSystem', Value: 'Linux' },
          { Type: 'TERM_MATCH', Field: 'licenseModel', Value: 'No License required' },
          { Type: 'TERM_MATCH', Field: 'preInstalledSw', Value: 'NA' },
          { Type: 'TERM_MATCH', Field: 'tenancy', Value: 'Shared' },
          { Type: 'TERM_MATCH', Field: 'capacitystatus', Value: 'Used' },
        ],
      },
    ]);
  });

  it('answers undefined, not 0, when no product matches', async () => {
    // Arrange
    fake.api.addEc2('m5.large', 'eu-west-1', '0.1070000000');

    // Act
    const usd = await prices().onDemandHourlyUsd({ ...M5_LINUX, instanceType: 'x9.huge' });

    // Assert
    expect(usd).toBeUndefined();
    expect(fake.api.requests).toHaveLength(1);
  });

  it('turns a refused call into a Lights Out error that keeps the SDK error as its cause', async () => {
    // Arrange
    fake.api.failNext('AccessDeniedException', 400);

    // Act
    const failure = await prices()
      .onDemandHourlyUsd(M5_LINUX)
      .catch((e: unknown) => e);

    // Assert
    expect(failure).toBeInstanceOf(AccessDeniedError);
    expect((failure as Error).message).toMatch(
      /GetProducts AmazonEC2 m5.large in eu-west-1 failed: AccessDeniedException/,
    );
    expect((failure as Error).cause).toMatchObject({ name: 'AccessDeniedException' });
  });
});

describe('reading price-list documents', () => {
  it('takes the lowest positive hourly OnDemand rate, ignoring reservations, $0 host rates and junk', () => {
    // Arrange
    const attrs = { instanceType: 'm5.large', operatingSystem: 'Linux' };
    const docs = [
      priceListDocument({ attributes: attrs, usd: '0.1200000000' }, 'A'),
      priceListDocument({ attributes: attrs, usd: '0.1070000000' }, 'B'),
      priceListDocument({ attributes: attrs, usd: '0.0000000000' }, 'C'),
      'not json',
    ];

    // Act / Assert
    expect(lowestHourlyUsd(docs)).toBe(0.107);
    expect(lowestHourlyUsd([docs[2]!])).toBeUndefined();
    expect(lowestHourlyUsd([])).toBeUndefined();
  });
});
