/**
 * The weekly digest for Slack channels: a Block Kit summary and the daily
 * chart as a PNG (echarts, resvg's WebAssembly build and a font, which sit
 * beside index.mjs: see infra/lib/bundling.ts). It imports no Teams code;
 * Teams channels get theirs from `teamsDigest` (see digestRuntime.ts).
 */
import { dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { SlackDigestPoster } from '../chat/slack/slackDigest.js';
import { createSlackDigestClient } from '../chat/slack/slackWebClient.js';
import { type Env, loadConfig } from '../config/index.js';
import { chartAssets } from '../wiring/chartAssets.js';
import {
  buildLambdaDigest,
  type DigestPosterFactory,
  digestHandler,
  type LambdaDigest,
} from './digestRuntime.js';

/** Slack's poster; `assetDir` is where the chart's wasm and font are (node_modules when absent). */
export function slackDigestPoster(assetDir?: string): DigestPosterFactory {
  return {
    platform: 'slack',
    async build(config, log, { secrets }) {
      if (!config.slack.enabled) return undefined;
      const slack = await (await import('./slackRuntime.js')).slackAtColdStart(config, log, { secrets });
      // Its own client: every call must end well inside the week's claim (see createSlackDigestClient).
      return new SlackDigestPoster(createSlackDigestClient(slack.config, log), chartAssets(assetDir));
    },
  };
}

let coldStart: Promise<LambdaDigest> | undefined;

export const handler = digestHandler(() => {
  // The chart's wasm and font were copied beside this bundle at build time.
  coldStart ??= buildLambdaDigest(
    loadConfig(process.env as Env),
    slackDigestPoster(dirname(fileURLToPath(import.meta.url))),
  );
  return coldStart;
});
