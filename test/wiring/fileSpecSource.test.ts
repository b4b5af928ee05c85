import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { FileWorkloadSpecSource } from '../../src/wiring/fileSpecSource.js';

const dir = mkdtempSync(join(tmpdir(), 'lightsout-workloads-'));

describe('file workload spec source', () => {
  it('reads workloads.yaml', async () => {
    const path = join(dir, 'workloads.yaml');
    writeFileSync(
      path,
      `workloads:
  - name: blog
    region: eu-west-1
    workloadTag: { key: App, value: blog }
    tierTag: Tier
    tiers:
      - { name: web, start: { sequence: 0 }, stop: { sequence: 0 } }
`,
    );

    const { specs, problems } = await new FileWorkloadSpecSource(path).load();

    expect(problems).toEqual([]);
    expect(specs.map((s) => s.name)).toEqual(['blog']);
  });

  it('reads AWS_EC2_Scheduler rows as JSON', async () => {
    const path = join(dir, 'workloads.json');
    writeFileSync(
      path,
      JSON.stringify({
        WorkloadSpecification: [
          {
            SpecName: 'x',
            WorkloadFilterTagName: 'App',
            WorkloadFilterTagValue: 'x',
            WorkloadRegion: 'us-east-1',
            TierFilterTagName: 'Tier',
          },
        ],
        TierSpecification: [
          {
            SpecName: 'x',
            TierTagValue: 'web',
            TierStart: { TierSequence: '0' },
            TierStop: { TierSequence: '0' },
          },
        ],
      }),
    );

    expect((await new FileWorkloadSpecSource(path).load()).specs.map((s) => s.name)).toEqual(['x']);
  });

  it('explains a missing file and invalid YAML instead of failing', async () => {
    const bad = join(dir, 'bad.yaml');
    writeFileSync(bad, 'workloads: [unclosed');

    const missing = await new FileWorkloadSpecSource(join(dir, 'nope.yaml')).load();
    const invalid = await new FileWorkloadSpecSource(bad).load();

    expect(missing.problems[0]).toMatch(/nope\.yaml does not exist; create it/);
    expect(invalid.problems[0]).toMatch(/bad\.yaml is not valid YAML\/JSON: /);
  });
});

describe('the workloads page', () => {
  it('shows a workloads.yaml that loads without problems', async () => {
    const page = readFileSync(new URL('../../docs/workloads.md', import.meta.url), 'utf8');
    // The page's first YAML example is the readable form of its spec.
    const yaml = /```yaml\n([\s\S]*?)```/.exec(page)?.[1] ?? '';
    const path = join(dir, 'readme.yaml');
    writeFileSync(path, yaml);

    const { specs, problems } = await new FileWorkloadSpecSource(path).load();

    expect(problems).toEqual([]);
    expect(specs.map((s) => [s.name, s.tiers.length])).toEqual([['BotoTestCase1', 3]]);
  });
});
