/**
 * Each chat platform's code loads only when that platform is configured, and
 * every function that carries Teams code stays within 1.0 MB. Built with the
 * stack's own esbuild options: once as deployed (one file, to measure), and
 * once split into chunks, where code behind an `import()` lands in chunks of
 * its own, so the entry chunk and what it imports statically is exactly what
 * runs at init.
 */
import { join } from 'node:path';
import { build, type Metafile } from 'esbuild';
import { describe, expect, it } from 'vitest';
import { type BundledPlatforms, bundleOptions, PROJECT_ROOT } from '../../infra/lib/bundling.js';
import { FEATURE_HANDLERS } from '../../infra/lib/features.js';

const MB = 1024 * 1024;
const SLACK = /(^|\/)(src\/chat\/slack\/|node_modules\/@slack\/)/;
const TEAMS = /(^|\/)(src\/chat\/teams\/|node_modules\/@microsoft\/agents-)/;
/** The functions that carry Teams code; a new one must be listed here on purpose (and keep to 1.0 MB). */
const TEAMS_CODE_EXPECTED = new Set(['chatNotify', 'teamsMessages', 'workloadStep', 'teamsDigest']);

async function bundle(entry: string, split: boolean, platforms?: BundledPlatforms): Promise<Metafile> {
  const o = bundleOptions({ platforms });
  const result = await build({
    ...o,
    banner: { js: o.banner },
    entryPoints: [join(PROJECT_ROOT, 'src/lambda', `${entry}.ts`)],
    bundle: true,
    write: false,
    ...(split
      ? { splitting: true, outdir: join(PROJECT_ROOT, 'node_modules/.cache/platform-loading') }
      : { outfile: join(PROJECT_ROOT, 'node_modules/.cache/platform-loading/index.mjs') }),
    absWorkingDir: PROJECT_ROOT,
    logLevel: 'silent',
    metafile: true,
  });
  return result.metafile;
}

/** Source files that run at init: the entry chunk and every chunk it imports statically. */
function loadedAtInit(meta: Metafile): string[] {
  const entry = Object.entries(meta.outputs).find(([, o]) => o.entryPoint)![0];
  const seen = new Set<string>([entry]);
  const queue = [entry];
  while (queue.length) {
    for (const i of meta.outputs[queue.pop()!]!.imports) {
      if (!i.external && i.kind === 'import-statement' && !seen.has(i.path)) {
        seen.add(i.path);
        queue.push(i.path);
      }
    }
  }
  return [...seen].flatMap((out) => Object.keys(meta.outputs[out]!.inputs));
}

const allInputs = (meta: Metafile) => Object.keys(meta.inputs);

describe('chat platforms in the Lambda functions', () => {
  it.each(['chatNotify', 'workloadStep'])(
    '%s loads neither Slack nor Teams code at init, only through import() when configured',
    async (entry) => {
      // Act
      const meta = await bundle(entry, true);

      // Assert
      expect(loadedAtInit(meta).filter((f) => SLACK.test(f) || TEAMS.test(f))).toEqual([]);
      expect(allInputs(meta).some((f) => SLACK.test(f))).toBe(true);
      expect(allInputs(meta).some((f) => TEAMS.test(f))).toBe(true);
    },
    60_000,
  );

  it('teamsMessages loads Slack code only through import(), when Slack is configured too', async () => {
    // Act
    const meta = await bundle('teamsMessages', true);

    // Assert
    expect(loadedAtInit(meta).filter((f) => SLACK.test(f))).toEqual([]);
    expect(allInputs(meta).some((f) => SLACK.test(f))).toBe(true);
  }, 60_000);

  it('keeps the Slack function free of Teams code altogether', async () => {
    const meta = await bundle('slackEvents', false);

    expect(allInputs(meta).filter((f) => TEAMS.test(f))).toEqual([]);
  }, 60_000);

  it.each(Object.values(FEATURE_HANDLERS).flat())(
    '%s is at most 1.0 MB as deployed if it carries Teams code',
    async (entry) => {
      const meta = await bundle(entry, false);

      const bytes = Object.values(meta.outputs).find((o) => o.entryPoint)!.bytes;
      const carriesTeams = allInputs(meta).some((f) => TEAMS.test(f));
      expect({ entry, carriesTeams, withinLimit: !carriesTeams || bytes <= 1.0 * MB }).toEqual({
        entry,
        carriesTeams: TEAMS_CODE_EXPECTED.has(entry),
        withinLimit: true,
      });
    },
    60_000,
  );

  it('splits the digest per platform: Slack’s function (with the chart) carries no Teams code, Teams’ no Slack code and no chart', async () => {
    const [slackDigest, teamsDigest] = await Promise.all([
      bundle('digest', false),
      bundle('teamsDigest', false),
    ]);

    expect(allInputs(slackDigest).filter((f) => TEAMS.test(f))).toEqual([]);
    expect(allInputs(slackDigest).some((f) => f.includes('node_modules/echarts/'))).toBe(true);
    expect(
      allInputs(teamsDigest).filter((f) => SLACK.test(f) || f.includes('node_modules/echarts/')),
    ).toEqual([]);
  }, 60_000);

  it.each([
    ['chatNotify', { slack: true, teams: false }, TEAMS],
    ['workloadStep', { slack: true, teams: false }, TEAMS],
    ['chatNotify', { slack: false, teams: true }, SLACK],
    ['workloadStep', { slack: false, teams: true }, SLACK],
  ] as const)(
    '%s of a deployment with %o carries no SDK of the other platform',
    async (entry, platforms, other) => {
      const meta = await bundle(entry, false, platforms);

      expect(allInputs(meta).filter((f) => other.test(f) && f.includes('node_modules/'))).toEqual([]);
    },
    60_000,
  );
});
