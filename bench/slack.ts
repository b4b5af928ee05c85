/**
 * Slack benchmark (`npm run bench -- slack`): prints figures, asserts nothing.
 *
 * - p50/p99 handler time for Stop, Snooze and Extend clicks: correctly signed
 *   block_actions through the real AwsLambdaReceiver handler, EC2/DynamoDB/
 *   EventBridge Scheduler on moto, the Web API on a loopback fake.
 *   Target: p99 ≤ 150 ms (Slack allows 3 s).
 * - Bundled size of the Slack function (esbuild with the deploy options from
 *   infra/lib/bundling.ts: minified, node22, ESM, AWS SDK external) and its
 *   module init time in a fresh Node process. Targets: ≤ 1.5 MB, ≤ 300 ms.
 */
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { CreateTagsCommand, EC2Client, RunInstancesCommand } from '@aws-sdk/client-ec2';
import { SchedulerClient } from '@aws-sdk/client-scheduler';
import { CreateSecretCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import type { Context } from 'aws-lambda';
import { build } from 'esbuild';
import { bundleOptions, PROJECT_ROOT } from '../infra/lib/bundling.js';
import { dynamoDocumentClient, ec2Client } from '../src/aws/clients.js';
import { DynamoInstanceStore } from '../src/aws/dynamodb/instanceStore.js';
import { DynamoSubscriptionStore } from '../src/aws/dynamodb/subscriptionStore.js';
import { Ec2Fleet } from '../src/aws/ec2Fleet.js';
import { EventBridgeNagScheduler } from '../src/aws/eventBridgeNagScheduler.js';
import { encodeRunToken } from '../src/chat/core/runToken.js';
import { createSlackEventsHandler } from '../src/lambda/slackEvents.js';
import { MonitorService } from '../src/services/monitor/monitorService.js';
import { createTable } from '../test/support/dynamoTable.js';
import { startFakeSlackApi } from '../test/support/fakeSlackApi.js';
import { startMoto } from '../test/support/moto.js';
import { blockActionBody, FORM, lambdaEvent, SIGNING_SECRET } from '../test/support/slackRequests.js';

const REGION = 'us-east-1';
const ROUNDS = 60;

function percentile(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)] ?? Number.NaN;
}

function report(label: string, samples: number[]): void {
  const s = [...samples].sort((a, b) => a - b);
  console.log(
    `  ${label.padEnd(7)} n=${s.length}  p50 ${percentile(s, 50).toFixed(1)} ms  p99 ${percentile(s, 99).toFixed(1)} ms  max ${s.at(-1)!.toFixed(1)} ms`,
  );
}

async function handlerTimes(): Promise<void> {
  const moto = await startMoto();
  const slack = await startFakeSlackApi();
  Object.assign(process.env, {
    AWS_ENDPOINT_URL: moto.endpoint,
    AWS_ACCESS_KEY_ID: 'bench',
    AWS_SECRET_ACCESS_KEY: 'bench',
    AWS_REGION: REGION,
  });
  try {
    const { tableName } = await createTable(moto);
    const secrets = new SecretsManagerClient(moto.clientConfig);
    const secret = await secrets.send(
      new CreateSecretCommand({
        Name: 'slack',
        SecretString: JSON.stringify({ signingSecret: SIGNING_SECRET, botToken: 'xoxb-bench' }),
      }),
    );
    const env = {
      AWS_REGION: REGION,
      TABLE_NAME: tableName,
      SLACK_SECRET_ARN: secret.ARN!,
      SLACK_API_URL: slack.apiUrl,
      NAG_FUNCTION_ARN: `arn:aws:lambda:${REGION}:123456789012:function:lightsout-nag`,
      SCHEDULER_ROLE_ARN: 'arn:aws:iam::123456789012:role/lightsout-scheduler',
      LOG_LEVEL: 'error',
    };
    const scheduler = new EventBridgeNagScheduler(new SchedulerClient(moto.clientConfig), {
      targetArn: env.NAG_FUNCTION_ARN,
      roleArn: env.SCHEDULER_ROLE_ARN,
    });
    await scheduler.ensureGroup();
    const store = new DynamoInstanceStore(dynamoDocumentClient(REGION), tableName);
    const engine = new MonitorService({
      fleet: new Ec2Fleet(ec2Client),
      store,
      scheduler,
      notifier: { notify: async () => undefined },
      events: { publish: async () => undefined },
      clock: () => new Date(),
      settings: {
        mode: 'opt-in',
        defaultGroup: 'all',
        defaultThresholdSeconds: 43_200,
        defaultRenotifySeconds: 3600,
        regions: [REGION],
        tombstoneTtlSeconds: 86_400,
      },
    });
    await new DynamoSubscriptionStore(dynamoDocumentClient(REGION), tableName).subscribe({
      group: 'web',
      channel: { platform: 'slack', channelId: 'C0WEB' },
      createdBy: 'bench',
      createdAt: new Date().toISOString(),
    });

    const ec2 = new EC2Client(moto.clientConfig);
    const run = await ec2.send(
      new RunInstancesCommand({ ImageId: 'ami-12345678', MinCount: ROUNDS + 1, MaxCount: ROUNDS + 1 }),
    );
    const ids = run.Instances!.map((i) => i.InstanceId!);
    await ec2.send(
      new CreateTagsCommand({
        Resources: ids,
        Tags: [
          { Key: 'Monitor', Value: 'true' },
          { Key: 'MonitorGroup', Value: 'web' },
        ],
      }),
    );
    for (const id of ids)
      await engine.handleStateChange({
        region: REGION,
        instanceId: id,
        state: 'running',
        time: new Date().toISOString(),
      });
    const tokens = await Promise.all(
      ids.map(async (id) =>
        encodeRunToken({ ...(await store.get({ region: REGION, instanceId: id }))!, group: 'web' }),
      ),
    );

    const coldStarted = performance.now();
    const handler = await createSlackEventsHandler(env, { secrets });
    console.log(
      `  cold start (config, secret, clients, Bolt app): ${(performance.now() - coldStarted).toFixed(1)} ms`,
    );

    let seq = 0;
    const click = async (actionId: string, token: string, selected?: string) => {
      seq += 1;
      const body = blockActionBody({
        actionId,
        blockId: token,
        messageTs: '1700000000.000001',
        responseUrl: slack.responseUrl(),
        selected,
        actionTs: `1700000000.${seq}`,
      });
      const started = performance.now();
      const res = (await handler(lambdaEvent(body, FORM), {} as Context)) as { statusCode: number };
      const ms = performance.now() - started;
      if (res.statusCode !== 200) throw new Error(`click answered ${res.statusCode}`);
      return ms;
    };
    // Warm-up: first request pays Bolt's lazy auth.test and connection set-up.
    await click('lightsout.extend', tokens[ROUNDS]!, '2h');
    const stop: number[] = [];
    const snooze: number[] = [];
    const extend: number[] = [];
    for (let i = 0; i < ROUNDS; i++) {
      snooze.push(await click('lightsout.snooze', tokens[ROUNDS]!, '1h'));
      extend.push(await click('lightsout.extend', tokens[ROUNDS]!, '2h'));
      stop.push(await click('lightsout.stop', tokens[i]!));
    }
    console.log('Handler time per click (AwsLambdaReceiver → chat core → moto; target p99 ≤ 150 ms):');
    report('Stop', stop);
    report('Snooze', snooze);
    report('Extend', extend);
  } finally {
    await slack.close();
    await moto.stop();
  }
}

/** Median and max import time of `file` in fresh Node processes; `warm` modules are imported first, untimed. */
function importTimes(file: string, warm: string[] = [], runs = 5): { median: number; max: number } {
  const times: number[] = [];
  const preload = warm.map((m) => `await import(${JSON.stringify(m)});`).join(' ');
  for (let i = 0; i < runs; i++) {
    const out = execFileSync(
      process.execPath,
      [
        '--input-type=module',
        '-e',
        `${preload} const t = performance.now(); await import(${JSON.stringify(file)}); console.log(performance.now() - t);`,
      ],
      { cwd: PROJECT_ROOT, encoding: 'utf8' },
    );
    times.push(Number(out.trim()));
  }
  times.sort((a, b) => a - b);
  return { median: times[Math.floor(runs / 2)]!, max: times.at(-1)! };
}

async function bundleFigures(): Promise<void> {
  // Inside the project, so the bundle's external AWS SDK imports resolve from node_modules as on Lambda.
  mkdirSync(join(PROJECT_ROOT, 'node_modules/.cache'), { recursive: true });
  const dir = mkdtempSync(join(PROJECT_ROOT, 'node_modules/.cache/lightsout-slack-bundle-'));
  const sdk = [
    '@aws-sdk/client-ec2',
    '@aws-sdk/client-dynamodb',
    '@aws-sdk/lib-dynamodb',
    '@aws-sdk/client-scheduler',
    '@aws-sdk/client-sns',
    '@aws-sdk/client-secrets-manager',
  ];
  try {
    console.log(
      'Slack function (src/lambda/slackEvents.ts), esbuild with the deploy options (minified, node22, ESM); targets ≤ 1.5 MB, init ≤ 300 ms:',
    );
    for (const bundleAwsSdk of [false, true]) {
      const outfile = join(dir, bundleAwsSdk ? 'with-sdk.mjs' : 'index.mjs');
      const opts = bundleOptions({ bundleAwsSdk });
      await build({
        ...opts,
        banner: { js: opts.banner },
        entryPoints: [join(PROJECT_ROOT, 'src/lambda/slackEvents.ts')],
        bundle: true,
        outfile,
        absWorkingDir: PROJECT_ROOT,
        logLevel: 'silent',
      });
      const size = (statSync(outfile).size / 1024 / 1024).toFixed(2);
      const total = importTimes(outfile);
      if (!bundleAwsSdk) {
        const own = importTimes(outfile, sdk);
        console.log(
          `  AWS SDK external (default): ${size} MB; init ${total.median.toFixed(0)} ms median / ${total.max.toFixed(0)} ms max, of which our code ${own.median.toFixed(0)} ms (SDK preloaded)`,
        );
      } else {
        console.log(
          `  AWS SDK bundled (bundleAwsSdk=true): ${size} MB; init ${total.median.toFixed(0)} ms median / ${total.max.toFixed(0)} ms max`,
        );
      }
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

export const slackBench = {
  name: 'slack',
  async run(): Promise<void> {
    await bundleFigures();
    await handlerTimes();
  },
};
