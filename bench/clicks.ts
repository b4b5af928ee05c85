/**
 * Clicks while AWS misbehaves (`npm run bench -- clicks`): issue 12's
 * benchmark. Prints figures next to their targets; asserts nothing.
 *
 * moto sits behind the fault-injecting proxy (test/support/faultProxy.ts).
 * For both runtimes (the single process with SQLite, answering on its HTTP
 * server in a process of its own, bench/clicksBot.ts, as `npm start` runs it:
 * sharing this process's event loop with the clicking client and the Slack
 * stand-in overstated its latency; the Slack Lambda handler with DynamoDB on
 * moto, its hand-offs run in process), N concurrent clicks (Stop, Snooze and Extend in turn, one per
 * nagged instance, signed as Slack signs them) are sent at 0% and 30% EC2
 * throttling and during an EC2 hang of --hang-seconds (30 by default).
 * Printed per scenario: the acknowledgement p50/p99, clicks left unanswered
 * (no HTTP 200 within Slack's 3 s), StopInstances that reached EC2 per
 * stopped instance (must be exactly one), and the time from AWS recovering
 * (the hang lifted; with throttling, which goes on throughout, the clicks
 * answered) until every clicked message was rewritten. Targets: ack p99 ≤ 1 s, none unanswered, exactly one stop,
 * every message updated within 30 s of recovery.
 *
 * `--runtime=single|lambda` runs one runtime, `--scenario=throttled` (a part of
 * its name) one scenario; `--profile=DIR` has the single
 * process write a CPU profile (node --cpu-prof) per scenario into DIR.
 */
import { fork } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { EC2Client, RunInstancesCommand } from '@aws-sdk/client-ec2';
import { buildNagNotification } from '../src/core/notification.js';
import { buildWorld, snsEvent } from '../test/lambda/slack/lambdaHarness.js';
import { freePort } from '../test/support/cliProcess.js';
import { type FakeSlackApi, startFakeSlackApi } from '../test/support/fakeSlackApi.js';
import { type FaultProxy, startFaultProxy } from '../test/support/faultProxy.js';
import { postSlackEvent, slackHttpEnv } from '../test/support/localProcess.js';
import { startMoto } from '../test/support/moto.js';
import { blockActionBody, FORM, lambdaEvent, slashCommandBody } from '../test/support/slackRequests.js';
import type { Bench } from './run.js';

const REGION = 'us-east-1';
const SLACK_GIVES_UP_MS = 3_000;
const TARGET = { ackP99Ms: 1_000, recoverySeconds: 30 };
const ACTIONS = [
  { actionId: 'lightsout.stop' },
  { actionId: 'lightsout.snooze', selected: '4h' },
  { actionId: 'lightsout.extend', selected: '2h' },
] as const;

type Scenario = { name: string; throttle: number; hangMs: number };

/** A nagged instance: its message in Slack and the run token its buttons carry. */
interface Nagged {
  instanceId: string;
  ts: string;
  token: string;
}

/** Sends one click and resolves with the HTTP status (0 when it failed). */
type Click = (body: string) => Promise<number>;

interface Runtime {
  name: string;
  /** Launches and nags `n` instances; returns them and how to click. */
  prepare(n: number): Promise<{ nagged: Nagged[]; click: Click; close(): Promise<void> }>;
}

function flag(name: string, fallback: number): number {
  const arg = process.argv.find((a) => a.startsWith(`--${name}=`));
  const value = arg ? Number(arg.split('=')[1]) : fallback;
  return Number.isFinite(value) && value > 0 ? value : fallback;
}

/** `--name=value`, or undefined. */
function textFlag(name: string): string | undefined {
  return process.argv.find((a) => a.startsWith(`--${name}=`))?.slice(name.length + 3) || undefined;
}

function percentile(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)] ?? Number.NaN;
}

async function launch(ec2: EC2Client, n: number): Promise<string[]> {
  const ids: string[] = [];
  for (let left = n; left > 0; left -= 100) {
    const count = Math.min(100, left);
    const res = await ec2.send(
      new RunInstancesCommand({
        ImageId: 'ami-12345678',
        MinCount: count,
        MaxCount: count,
        TagSpecifications: [
          {
            ResourceType: 'instance',
            Tags: [
              { Key: 'Monitor', Value: 'true' },
              { Key: 'MonitorGroup', Value: 'web' },
              { Key: 'Threshold', Value: '1' },
            ],
          },
        ],
      }),
    );
    ids.push(...(res.Instances ?? []).map((i) => i.InstanceId!));
  }
  return ids;
}

/** The nag posts in the fake Slack, by instance. */
function naggedFrom(slack: FakeSlackApi, ids: string[]): Nagged[] {
  const out: Nagged[] = [];
  for (const call of slack.callsTo('chat.postMessage')) {
    const meta = call.args.metadata as { event_payload?: { instance?: string } } | undefined;
    const instanceId = meta?.event_payload?.instance;
    if (!instanceId || !ids.includes(instanceId)) continue;
    const blocks = call.args.blocks as { type: string; block_id?: string }[];
    const token = blocks.find((b) => b.type === 'actions')?.block_id;
    const ts = [...(slack.history.get(String(call.args.channel)) ?? [])].find(
      (m) => (m.metadata as typeof meta)?.event_payload?.instance === instanceId,
    )?.ts;
    if (token && ts) out.push({ instanceId, ts, token });
  }
  return out;
}

/** The bot in a process of its own (bench/clicksBot.ts), talked to over IPC. */
async function forkBot(env: Record<string, string>, profileDir: string | undefined) {
  const child = fork(join(import.meta.dirname, 'clicksBot.ts'), [], {
    env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '', ...env },
    execArgv: ['--import', 'tsx', ...(profileDir ? ['--cpu-prof', `--cpu-prof-dir=${profileDir}`] : [])],
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  await new Promise<void>((resolve, reject) => {
    child.once('message', () => resolve());
    child.once('exit', (code) =>
      reject(new Error(`the bench's bot exited with ${code} before it was ready`)),
    );
  });
  let next = 0;
  const ask = (req: Record<string, unknown>) =>
    new Promise<void>((resolve, reject) => {
      const id = ++next;
      const onMessage = (m: { done?: number; error?: string }) => {
        if (m.done !== id) return;
        child.off('message', onMessage);
        if (m.error) reject(new Error(m.error));
        else resolve();
      };
      child.on('message', onMessage);
      child.send({ id, ...req });
    });
  return {
    ask,
    async stop() {
      await ask({ stop: true });
      const killer = setTimeout(() => child.kill('SIGKILL'), 10_000);
      await exited;
      clearTimeout(killer);
    },
  };
}

function singleProcess(
  moto: { clientConfig: object },
  aws: Record<string, string>,
  slack: FakeSlackApi,
  profileDir: string | undefined,
): Runtime {
  return {
    name: 'single process (SQLite)',
    async prepare(n) {
      const dir = mkdtempSync(join(tmpdir(), 'lightsout-bench-clicks-'));
      const ec2 = new EC2Client(moto.clientConfig as never);
      const ids = await launch(ec2, n);
      ec2.destroy();
      const port = await freePort();
      const bot = await forkBot(
        {
          ...aws,
          ...slackHttpEnv(slack, port),
          REGIONS: REGION,
          DB_PATH: join(dir, 'lightsout.db'),
          RECONCILE_EVERY: '1h',
        },
        profileDir,
      );
      await postSlackEvent(port, slashCommandBody('subscribe web'));
      await bot.ask({ advanceSeconds: 2 * 3600 });
      await bot.ask({ nag: true });
      return {
        nagged: naggedFrom(slack, ids),
        click: (body) =>
          postSlackEvent(port, body).then(
            async (res) => {
              await res.arrayBuffer();
              return res.status;
            },
            () => 0,
          ),
        async close() {
          await bot.stop();
          rmSync(dir, { recursive: true, force: true });
        },
      };
    },
  };
}

function lambda(moto: Awaited<ReturnType<typeof startMoto>>, slack: FakeSlackApi): Runtime {
  return {
    name: 'Lambda handler (DynamoDB)',
    async prepare(n) {
      const world = await buildWorld(moto, slack);
      await world.events(lambdaEvent(slashCommandBody('subscribe web'), FORM));
      const ids = await launch(world.ec2, n);
      for (const instanceId of ids) {
        await world.engine.handleStateChange({
          region: REGION,
          instanceId,
          state: 'running',
          time: new Date().toISOString(),
        });
        const record = (await world.store.get({ region: REGION, instanceId }))!;
        await world.notify(snsEvent(`bench-${instanceId}`, buildNagNotification(record, new Date())));
      }
      return {
        nagged: naggedFrom(slack, ids),
        click: (body) =>
          world.answer(lambdaEvent(body, FORM)).then(
            (res) => res.statusCode ?? 0,
            () => 0,
          ),
        close: () => world.handOffs.settled(),
      };
    },
  };
}

/** Stopped instances by the number of StopInstances calls that reached EC2 for them. */
function stopsPerInstance(proxy: FaultProxy, stopped: string[]): Map<number, number> {
  const per = new Map<string, number>(stopped.map((id) => [id, 0]));
  for (const call of proxy.calls('StopInstances')) {
    if (!call.outcomes.includes('forwarded')) continue;
    for (const [k, v] of Object.entries(call.params))
      if (k.startsWith('InstanceId.')) per.set(v, (per.get(v) ?? 0) + 1);
  }
  const histogram = new Map<number, number>();
  for (const id of stopped) histogram.set(per.get(id) ?? 0, (histogram.get(per.get(id) ?? 0) ?? 0) + 1);
  return histogram;
}

async function runScenario(
  runtime: Runtime,
  scenario: Scenario,
  n: number,
  env: { proxy: FaultProxy; slack: FakeSlackApi; reset: () => Promise<void> },
): Promise<void> {
  const { proxy, slack } = env;
  await env.reset();
  const { nagged, click, close } = await runtime.prepare(n);
  proxy.resetCounters();
  const ec2 = (call: { service: string }) => call.service === 'ec2';
  if (scenario.throttle > 0)
    proxy.addRule({ action: ec2, fault: { kind: 'throttle' }, rate: scenario.throttle });
  if (scenario.hangMs > 0) proxy.addRule({ action: ec2, fault: { kind: 'hang' } });
  const updatesBefore = slack.callsTo('chat.update').length;

  const sentAt = Date.now();
  const acks = await Promise.all(
    nagged.map(async (m, i) => {
      const a = ACTIONS[i % ACTIONS.length]!;
      const body = blockActionBody({
        actionId: a.actionId,
        selected: 'selected' in a ? a.selected : undefined,
        blockId: m.token,
        messageTs: m.ts,
        responseUrl: slack.responseUrl(`bench-${i}`),
        actionTs: `${Math.floor(sentAt / 1000)}.${String(i).padStart(6, '0')}`,
        user: `U0BENCH${i}`,
      });
      const started = performance.now();
      const status = await click(body);
      return { status, ms: performance.now() - started };
    }),
  );
  // A hang ends after --hang-seconds. Throttling goes on while the work is done (it is the
  // condition being measured, and on Lambda the work starts after the answers): its clock
  // starts once the clicks are answered, and the rules are dropped only after the updates.
  if (scenario.hangMs > 0) {
    await new Promise((r) => setTimeout(r, Math.max(0, sentAt + scenario.hangMs - Date.now())));
    proxy.recover();
  }
  const recoveredAt = Date.now();
  const waiting = new Set(nagged.map((m) => m.ts));
  const giveUpAt = recoveredAt + 180_000;
  while (waiting.size && Date.now() < giveUpAt) {
    for (const u of slack.callsTo('chat.update').slice(updatesBefore)) waiting.delete(String(u.args.ts));
    if (waiting.size) await new Promise((r) => setTimeout(r, 50));
  }
  const updatedAfterS = (Date.now() - recoveredAt) / 1000;
  const throttled = proxy
    .calls()
    .filter((c) => c.service === 'ec2' && c.outcomes.includes('throttled')).length;
  proxy.recover();
  await close();

  const sorted = acks.map((a) => a.ms).sort((a, b) => a - b);
  const unanswered = acks.filter((a) => a.status !== 200 || a.ms > SLACK_GIVES_UP_MS).length;
  const stopped = nagged.filter((_, i) => i % ACTIONS.length === 0).map((m) => m.instanceId);
  const stops = [...stopsPerInstance(proxy, stopped)].sort(([a], [b]) => a - b);
  const p99 = percentile(sorted, 99);
  console.log(
    [
      `  ${scenario.name.padEnd(22)} clicks ${acks.length}`,
      `ack p50 ${percentile(sorted, 50).toFixed(0)} ms p99 ${p99.toFixed(0)} ms${p99 <= TARGET.ackP99Ms ? '' : ' (OVER 1 s)'}`,
      `unanswered ${unanswered}`,
      ...(scenario.throttle > 0 ? [`EC2 calls throttled ${throttled}`] : []),
      `StopInstances/instance ${stops.map(([calls, k]) => `${calls}×${k}`).join(' ')}${stops.every(([calls]) => calls === 1) ? ' (exactly one)' : ' (NOT exactly one)'}`,
      waiting.size
        ? `${waiting.size} messages NOT updated after ${updatedAfterS.toFixed(1)} s`
        : `all updated ${updatedAfterS.toFixed(1)} s after recovery${updatedAfterS <= TARGET.recoverySeconds ? '' : ' (OVER 30 s)'}`,
    ].join(' · '),
  );
}

export const clicksBench: Bench = {
  name: 'clicks while AWS misbehaves',
  async run() {
    const n = flag('instances', 200);
    const hangMs = flag('hang-seconds', 30) * 1000;
    const moto = await startMoto();
    const proxy = await startFaultProxy({ target: moto.endpoint, seed: 12 });
    const slack = await startFakeSlackApi();
    const aws = {
      AWS_ENDPOINT_URL: proxy.endpoint,
      AWS_ACCESS_KEY_ID: 'bench',
      AWS_SECRET_ACCESS_KEY: 'bench',
      AWS_REGION: REGION,
    };
    Object.assign(process.env, aws);
    const scenarios: Scenario[] = [
      { name: 'EC2 healthy', throttle: 0, hangMs: 0 },
      { name: '30% EC2 throttled', throttle: 0.3, hangMs: 0 },
      { name: `EC2 hung ${hangMs / 1000} s`, throttle: 0, hangMs },
    ];
    const reset = async () => {
      proxy.recover();
      await moto.reset();
      slack.reset();
    };
    try {
      console.log(
        `${n} concurrent clicks (Stop, Snooze, Extend in turn), moto behind the fault proxy. Targets: ack p99 ≤ 1 s, none unanswered, one StopInstances per stopped instance, all updated ≤ 30 s after recovery.`,
      );
      const runtimes = [singleProcess(moto, aws, slack, textFlag('profile')), lambda(moto, slack)];
      const only = textFlag('runtime');
      for (const runtime of runtimes.filter((r) => !only || r.name.toLowerCase().startsWith(only))) {
        console.log(runtime.name);
        const pick = textFlag('scenario')?.toLowerCase();
        for (const scenario of scenarios.filter((s) => !pick || s.name.toLowerCase().includes(pick)))
          await runScenario(runtime, scenario, n, { proxy, slack, reset });
      }
    } finally {
      await slack.close();
      await proxy.close();
      await moto.stop();
    }
  },
};
