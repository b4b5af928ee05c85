/**
 * A loopback server standing in for the AWS Price List API (moto has none),
 * reached through AWS_ENDPOINT_URL_PRICING or a client's `endpoint`. It speaks
 * the API's JSON 1.1 protocol: POST /, `X-Amz-Target:
 * AWSPriceListService.GetProducts`, a JSON body of ServiceCode, Filters,
 * FormatVersion, MaxResults, NextToken. It answers with `PriceList` entries
 * that are price-list JSON documents as strings, shaped like the real ones
 * (product attributes, OnDemand and Reserved terms), filtered by every
 * TERM_MATCH filter. Every request is recorded; failures can be queued.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, beforeEach } from 'vitest';

export interface GetProductsRequest {
  ServiceCode?: string;
  Filters?: { Type: string; Field: string; Value: string }[];
  FormatVersion?: string;
  MaxResults?: number;
  NextToken?: string;
}

/** A product of the catalogue: its attributes and its On-Demand hourly price in USD (a string, as published). */
export interface FakeProduct {
  attributes: Record<string, string>;
  usd: string;
}

export interface FakePricingApi {
  url: string;
  /** Every GetProducts request, in order, with its decoded body. */
  requests: GetProductsRequest[];
  products: FakeProduct[];
  /** The next request is answered with this AWS error (e.g. ThrottlingException, 400) instead. */
  failNext(code: string, status: number): void;
  /**
   * Holds every answer from now on (requests are recorded on arrival) until
   * the returned function is called, like a Price List slower than a cold
   * start: lets a test have one lookup in flight while another begins.
   */
  hold(): () => void;
  /** Adds an EC2 compute product with the usual attributes; `over` replaces any of them. */
  addEc2(instanceType: string, regionCode: string, usd: string, over?: Record<string, string>): void;
  reset(): void;
  close(): Promise<void>;
}

/** One price-list document, as GetProducts returns it inside PriceList (serialised). */
export function priceListDocument(p: FakeProduct, sku: string): string {
  const offer = 'JRTCKXETXF';
  return JSON.stringify({
    product: { productFamily: 'Compute Instance', attributes: p.attributes, sku },
    serviceCode: 'AmazonEC2',
    terms: {
      OnDemand: {
        [`${sku}.${offer}`]: {
          priceDimensions: {
            [`${sku}.${offer}.6YS6EN2CT7`]: {
              unit: 'Hrs',
              endRange: 'Inf',
              description: `$${p.usd} per On Demand ${p.attributes.operatingSystem} ${p.attributes.instanceType} Instance Hour`,
              appliesTo: [],
              rateCode: `${sku}.${offer}.6YS6EN2CT7`,
              beginRange: '0',
              pricePerUnit: { USD: p.usd },
            },
          },
          sku,
          effectiveDate: '2026-11-01T00:00:00Z',
          offerTermCode: offer,
          termAttributes: {},
        },
      },
      // A reservation's upfront fee sits in the same document; only OnDemand terms are an hourly price.
      Reserved: {
        [`${sku}.4NA7Y494T4`]: {
          priceDimensions: {
            [`${sku}.4NA7Y494T4.2TG2D8R56U`]: { unit: 'Quantity', pricePerUnit: { USD: '511' } },
          },
          termAttributes: { LeaseContractLength: '1yr', PurchaseOption: 'All Upfront' },
        },
      },
    },
    version: '20261101000000',
    publicationDate: '2026-11-01T00:00:00Z',
  });
}

export async function startFakePricingApi(): Promise<FakePricingApi> {
  const requests: GetProductsRequest[] = [];
  const products: FakeProduct[] = [];
  const failures: { code: string; status: number }[] = [];
  let held: Promise<void> | undefined;
  const server: Server = createServer(async (req, res) => {
    const chunks: Buffer[] = [];
    for await (const c of req) chunks.push(c as Buffer);
    const answer = (status: number, body: unknown) => {
      res.writeHead(status, { 'content-type': 'application/x-amz-json-1.1' });
      res.end(JSON.stringify(body));
    };
    if (req.method !== 'POST' || req.headers['x-amz-target'] !== 'AWSPriceListService.GetProducts') {
      answer(400, {
        __type: 'UnknownOperationException',
        message: `not served: ${req.headers['x-amz-target']}`,
      });
      return;
    }
    const body = JSON.parse(Buffer.concat(chunks).toString('utf8') || '{}') as GetProductsRequest;
    requests.push(body);
    if (held) await held;
    const failure = failures.shift();
    if (failure) {
      answer(failure.status, { __type: failure.code, message: `${failure.code} from the fake Price List` });
      return;
    }
    const matching = products.filter(
      (p) =>
        body.ServiceCode === p.attributes.servicecode &&
        (body.Filters ?? []).every((f) => f.Type === 'TERM_MATCH' && p.attributes[f.Field] === f.Value),
    );
    const max = body.MaxResults ?? 100;
    const start = Number(body.NextToken ?? 0);
    const page = matching.slice(start, start + max);
    answer(200, {
      FormatVersion: 'aws_v1',
      PriceList: page.map((p, i) => priceListDocument(p, `SKU${String(start + i).padStart(4, '0')}`)),
      ...(start + max < matching.length ? { NextToken: String(start + max) } : {}),
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    requests,
    products,
    failNext: (code, status) => failures.push({ code, status }),
    hold() {
      let release: () => void = () => undefined;
      held = new Promise<void>((resolve) => {
        release = resolve;
      });
      return () => {
        held = undefined;
        release();
      };
    },
    addEc2(instanceType, regionCode, usd, over = {}) {
      products.push({
        usd,
        attributes: {
          servicecode: 'AmazonEC2',
          servicename: 'Amazon Elastic Compute Cloud',
          instanceType,
          regionCode,
          location: 'EU (Ireland)',
          locationType: 'AWS Region',
          operatingSystem: 'Linux',
          licenseModel: 'No License required',
          preInstalledSw: 'NA',
          tenancy: 'Shared',
          capacitystatus: 'Used',
          marketoption: 'OnDemand',
          operation: 'RunInstances',
          usagetype: `EU-BoxUsage:${instanceType}`,
          vcpu: '2',
          memory: '8 GiB',
          ...over,
        },
      });
    },
    reset() {
      held = undefined;
      requests.length = 0;
      products.length = 0;
      failures.length = 0;
    },
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

/** Test-file helper: one fake Price List for the file, emptied before each test. */
export function useFakePricingApi(): { readonly api: FakePricingApi } {
  const holder: { api?: FakePricingApi } = {};
  beforeAll(async () => {
    holder.api = await startFakePricingApi();
  });
  beforeEach(() => holder.api?.reset());
  afterAll(async () => {
    await holder.api?.close();
  });
  return {
    get api() {
      if (!holder.api) throw new Error('fake Price List not started');
      return holder.api;
    },
  };
}
