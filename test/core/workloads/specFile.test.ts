import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { specsFromDocument } from '../../../src/core/workloads/specFile.js';

const fixture = (name: string) =>
  JSON.parse(
    readFileSync(new URL(`../../fixtures/workload-specs/${name}`, import.meta.url), 'utf8'),
  ) as unknown;

const yamlShop = `
workloads:
  - name: shop
    region: us-west-2
    workloadTag: { key: Environment, value: ENV001 }
    tierTag: Role
    vpcId: vpc-xyz
    snsTopic: SchedulerTesting
    scaleInstanceDelay: 30
    tiers:
      - name: Role_Web
        start: { sequence: 2 }
        stop: { sequence: 0, delay: 10, overrideFile: /tmp/StopOverride, overrideOs: Linux }
        scaling: { default: t2.nano, profileD: c4.large }
      - name: Role_App
        start: { sequence: 1, synchronous: true }
        stop: { sequence: 1, synchronous: true }
      - name: Role_DB
        start: { sequence: 0, synchronous: true, delay: 30 }
        stop: { sequence: 2, synchronous: true }
`;

describe('workloads.yaml document', () => {
  it('reads the native form with numbers and booleans', () => {
    const { specs, problems } = specsFromDocument(parse(yamlShop));

    expect(problems).toEqual([]);
    expect(specs[0]).toMatchObject({
      name: 'shop',
      scaleInstanceDelaySeconds: 30,
      vpcId: 'vpc-xyz',
      disabled: false,
    });
    expect(specs[0]?.tiers[0]).toEqual({
      name: 'Role_Web',
      start: { sequence: 2, synchronous: false, delaySeconds: 0 },
      stop: {
        sequence: 0,
        synchronous: false,
        delaySeconds: 10,
        override: { filename: '/tmp/StopOverride', os: 'Linux' },
      },
      scaling: { default: 't2.nano', profileD: 'c4.large' },
    });
  });

  it('accepts AWS_EC2_Scheduler rows pasted as they are, fixtures included', () => {
    const doc = {
      WorkloadSpecification: [fixture('workload-specification.json')],
      TierSpecification: [
        fixture('tier-specification-linux.json'),
        {
          SpecName: 'BotoTestCase1',
          TierTagValue: 'Role_App',
          TierStart: { TierSequence: '1' },
          TierStop: { TierSequence: '1' },
        },
        {
          SpecName: 'BotoTestCase1',
          TierTagValue: 'Role_DB',
          TierStart: { TierSequence: '0' },
          TierStop: { TierSequence: '2' },
        },
      ],
    };

    const { specs, problems } = specsFromDocument(doc);

    expect(problems).toEqual([]);
    expect(specs.map((s) => s.name)).toEqual(['BotoTestCase1']);
  });

  it('keeps good workloads and names the bad ones', () => {
    const doc = parse(yamlShop) as { workloads: unknown[] };
    doc.workloads.push({
      name: 'empty',
      region: 'eu-west-1',
      workloadTag: { key: 'App', value: 'x' },
      tierTag: 'Tier',
      tiers: [],
    });
    doc.workloads.push({
      name: 'typo',
      region: 'eu-west-1',
      workloadTag: { key: 'App', value: 'x' },
      tierTag: 'Tier',
      tierz: [],
    });

    const { specs, problems } = specsFromDocument(doc);

    expect(specs.map((s) => s.name)).toEqual(['shop']);
    expect(problems).toEqual([
      'workload "empty": has no tiers; add at least one tier (TierSpecification row) for it',
      'workload "typo": Unrecognized key: "tierz"',
    ]);
  });

  it('explains a document of the wrong shape', () => {
    const { problems } = specsFromDocument(['shop']);

    expect(problems[0]).toMatch(/^the file must be a map with "workloads"/);
  });
});
