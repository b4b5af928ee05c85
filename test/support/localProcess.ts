/**
 * What the single-process suites (`test/local/*`) share: a SQLite temp
 * directory and the process they start (stopped before the directory goes),
 * the config they start it with, tagged moto instances, and Slack requests
 * signed and sent to the shared HTTP server as Slack sends them.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type EC2Client, type Instance, RunInstancesCommand } from '@aws-sdk/client-ec2';
import { afterEach, beforeEach } from 'vitest';
import { type Config, loadConfig } from '../../src/config/index.js';
import type { SingleProcess } from '../../src/local/singleProcess.js';
import type { FakeSlackApi } from './fakeSlackApi.js';
import { FORM, SIGNING_SECRET, sign } from './slackRequests.js';

export interface LocalProcessFixture {
  /** This test's temp directory (a fresh one per test). */
  readonly dir: string;
  /** The process this test started; stopped after the test, before its directory is removed. */
  app: SingleProcess | undefined;
}

/** A fresh temp directory per test, and the process started in it stopped afterwards. */
export function useLocalProcess(prefix: string): LocalProcessFixture {
  let dir = '';
  const fixture: LocalProcessFixture = {
    get dir() {
      return dir;
    },
    app: undefined,
  };
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), prefix));
  });
  afterEach(async () => {
    await fixture.app?.stop();
    fixture.app = undefined;
    rmSync(dir, { recursive: true, force: true });
  });
  return fixture;
}

/** Single-process config on moto's us-east-1 with its database in `dir`; `env` adds or overrides settings. */
export function localConfig(dir: string, env: Record<string, string> = {}): Config {
  return loadConfig({
    REGIONS: 'us-east-1',
    DB_PATH: join(dir, 'lightsout.db'),
    RECONCILE_EVERY: '1h',
    ...env,
  });
}

/** Slack over HTTP on `port` (signed requests), its Web API answered by the fake. */
export function slackHttpEnv(slack: FakeSlackApi, port: number): Record<string, string> {
  return {
    SLACK_BOT_TOKEN: 'xoxb-test-token',
    SLACK_SIGNING_SECRET: SIGNING_SECRET,
    SLACK_API_URL: slack.apiUrl,
    PORT: String(port),
  };
}

/** Launches `count` instances carrying `tags` in moto. */
export async function launchTagged(
  ec2: EC2Client,
  tags: Record<string, string>,
  count = 1,
): Promise<Instance[]> {
  const res = await ec2.send(
    new RunInstancesCommand({
      ImageId: 'ami-12345678',
      MinCount: count,
      MaxCount: count,
      TagSpecifications: [
        { ResourceType: 'instance', Tags: Object.entries(tags).map(([Key, Value]) => ({ Key, Value })) },
      ],
    }),
  );
  return res.Instances ?? [];
}

/** POSTs a form body to the process's `/slack/events`, signed now (or with `signature` instead). */
export function postSlackEvent(
  port: number,
  body: string,
  opts: { signature?: string; ts?: number } = {},
): Promise<Response> {
  const ts = opts.ts ?? Math.floor(Date.now() / 1000);
  return fetch(`http://127.0.0.1:${port}/slack/events`, {
    method: 'POST',
    headers: {
      'content-type': FORM,
      'x-slack-request-timestamp': String(ts),
      'x-slack-signature': opts.signature ?? sign(body, ts),
    },
    body,
  });
}
