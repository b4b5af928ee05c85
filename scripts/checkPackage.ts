/**
 * `npm run check:package` (run by .ci/run after `npm test`): the package as a
 * stranger gets it. Packs the tarball, installs it into an empty folder from
 * the npm cache that `npm ci` just filled, and runs the installed `lightsout`:
 * `--help`, a usage error, `list` before and after, and `start` in log-only
 * mode against a moto_server on a free loopback port, stopped with SIGTERM
 * once its first sweep has finished. Fails, printing what it saw, if any step
 * does not behave.
 */
import { type ChildProcess, execFileSync, spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';

const ROOT = resolve(import.meta.dirname, '..');
/** What the tarball may hold: the compiled CLI and its launcher, nothing from src/, test/ or infra/. */
const SHIPPED =
  /^package\/(package\.json|README\.md|LICENSE|bin\/lightsout\.mjs|scripts\/keepMachineNode\.mjs|dist\/js\/.+\.js)$/;
/** A first sweep on an empty moto takes seconds; this is the point where "did not come up" is certain. */
const START_TIMEOUT_MS = 90_000;

function step(what: string): void {
  process.stdout.write(`check:package: ${what}\n`);
}

function fail(message: string): never {
  throw new Error(message);
}

const work = mkdtempSync(join(tmpdir(), 'lightsout-package-'));
const children: ChildProcess[] = [];
try {
  step('npm pack (prepack builds dist/)');
  const packed = execFileSync('npm', ['pack', '--silent', '--pack-destination', work], {
    cwd: ROOT,
    encoding: 'utf8',
  });
  const tarball = join(work, packed.trim().split('\n').pop()!);
  const listed = execFileSync('tar', ['tzf', tarball], { encoding: 'utf8' }).trim().split('\n');
  const stray = listed.filter((f) => !SHIPPED.test(f));
  if (stray.length) fail(`the tarball holds files a user does not need:\n  ${stray.join('\n  ')}`);
  if (!listed.includes('package/dist/js/cli/main.js')) fail('the tarball has no dist/js/cli/main.js');

  step(`npm install ${tarball} into an empty folder`);
  const app = join(work, 'app');
  mkdirSync(app);
  execFileSync(
    'npm',
    ['install', '--prefer-offline', '--no-audit', '--no-fund', '--loglevel=error', tarball],
    {
      cwd: app,
      stdio: 'inherit',
    },
  );
  // Development-only packages stay out of a user's install: the CLI runs compiled JavaScript, on the user's Node.
  for (const dev of ['tsx', 'typescript', 'node', 'aws-cdk-lib']) {
    if (existsSync(join(app, 'node_modules', dev)))
      fail(`a user's install contains the dev dependency ${dev}`);
  }

  const port = await freePort();
  const endpoint = `http://127.0.0.1:${port}`;
  const env = {
    PATH: `${join(app, 'node_modules/.bin')}:${process.env.PATH ?? ''}`,
    HOME: work,
    XDG_STATE_HOME: join(work, 'state'),
    AWS_ENDPOINT_URL: endpoint,
    AWS_ACCESS_KEY_ID: 'testing',
    AWS_SECRET_ACCESS_KEY: 'testing',
    AWS_REGION: 'us-east-1',
  };
  const stateFile = join(work, 'state/lightsout/lightsout.db');
  const lightsout = (args: string[]) => spawnSync('lightsout', args, { cwd: app, env, encoding: 'utf8' });

  step('lightsout --help');
  const help = lightsout(['--help']);
  if (help.status !== 0 || !/^\s+start\b/m.test(help.stdout) || !/^\s+list\b/m.test(help.stdout)) {
    fail(`lightsout --help failed (exit ${help.status}):\n${help.stdout}${help.stderr}`);
  }
  const unknown = lightsout(['lsit']);
  if (unknown.status !== 2) fail(`lightsout lsit exited ${unknown.status}, not 2:\n${unknown.stderr}`);

  step(`moto_server on ${endpoint}`);
  const moto = spawn('moto_server', ['-H', '127.0.0.1', '-p', String(port)], { stdio: 'ignore' });
  children.push(moto);
  await until(
    async () => (await fetch(`${endpoint}/moto-api/`).catch(() => undefined)) !== undefined,
    30_000,
    'moto_server to listen',
  );
  const instanceId = await launchMonitoredInstance(app, endpoint);

  step('lightsout list with no state file yet');
  const before = lightsout(['list', '--json']);
  if (before.status !== 0) fail(`lightsout list exited ${before.status}:\n${before.stderr}`);
  if (!before.stderr.includes(`no state file at ${stateFile}`))
    fail(`lightsout list did not warn:\n${before.stderr}`);
  if (existsSync(stateFile)) fail('lightsout list created the state file');
  if (!before.stdout.includes(instanceId))
    fail(`lightsout list does not show ${instanceId}:\n${before.stdout}`);

  step('lightsout start (log-only) until its first sweep, then SIGTERM');
  const bot = spawn('lightsout', ['start'], { cwd: app, env, stdio: ['ignore', 'pipe', 'pipe'] });
  children.push(bot);
  let log = '';
  bot.stdout.on('data', (d: Buffer) => (log += d.toString()));
  bot.stderr.on('data', (d: Buffer) => (log += d.toString()));
  const exited = new Promise<number | null>((r) => bot.on('exit', (code) => r(code)));
  await until(
    async () => log.includes('reconcile finished') || bot.exitCode !== null,
    START_TIMEOUT_MS,
    'the first sweep',
  ).catch(() => undefined);
  if (!log.includes('reconcile finished')) fail(`lightsout start did not come up:\n${log}`);
  bot.kill('SIGTERM');
  const code = await exited;
  if (code !== 0 || !log.includes('single process stopped'))
    fail(`lightsout start did not stop cleanly (exit ${code}):\n${log}`);

  step('lightsout list reads the state file start wrote');
  const after = lightsout(['list', '--json']);
  if (after.status !== 0 || !after.stderr.includes(`reading state from ${stateFile}`)) {
    fail(`lightsout list did not read ${stateFile} (exit ${after.status}):\n${after.stderr}`);
  }
  if (!after.stdout.includes(instanceId))
    fail(`lightsout list does not show ${instanceId}:\n${after.stdout}`);
  step('ok');
} finally {
  for (const child of children) if (child.exitCode === null) child.kill('SIGTERM');
  rmSync(work, { recursive: true, force: true });
}

/** One `Monitor=true` instance in moto, launched with the SDK the installed package brought. */
async function launchMonitoredInstance(app: string, endpoint: string): Promise<string> {
  const script = `
    import { EC2Client, RunInstancesCommand } from '@aws-sdk/client-ec2';
    const ec2 = new EC2Client({ endpoint: ${JSON.stringify(endpoint)}, region: 'us-east-1',
      credentials: { accessKeyId: 'testing', secretAccessKey: 'testing' } });
    const res = await ec2.send(new RunInstancesCommand({ ImageId: 'ami-12345678', MinCount: 1, MaxCount: 1,
      TagSpecifications: [{ ResourceType: 'instance', Tags: [{ Key: 'Monitor', Value: 'true' }, { Key: 'Name', Value: 'packaged' }] }] }));
    console.log(res.Instances[0].InstanceId);`;
  return execFileSync(process.execPath, ['--input-type=module', '-e', script], {
    cwd: app,
    encoding: 'utf8',
  }).trim();
}

async function until(done: () => Promise<boolean>, timeoutMs: number, what: string): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await done())) {
    if (Date.now() > deadline) fail(`gave up waiting for ${what} after ${timeoutMs / 1000} s`);
    await new Promise((r) => setTimeout(r, 200));
  }
}

function freePort(): Promise<number> {
  return new Promise((resolvePort, reject) => {
    const srv = createServer();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const addr = srv.address();
      srv.close(() => resolvePort(typeof addr === 'object' && addr ? addr.port : 0));
    });
  });
}
