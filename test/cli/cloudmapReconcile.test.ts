import { beforeEach, describe, expect, it } from 'vitest';
import { runCli } from '../../src/cli/program.js';
import { cleanupWorld } from '../support/cleanupWorld.js';
import { freePort, spawnCli, startSlowProxy } from '../support/cliProcess.js';
import { useMoto } from '../support/moto.js';

describe('lightsout cloudmap reconcile (spawned CLI, moto)', () => {
  const moto = useMoto();
  const world = cleanupWorld(moto);
  beforeEach(() => moto.reset());

  const env = (endpoint = moto.endpoint) => ({
    AWS_ENDPOINT_URL: endpoint,
    AWS_ACCESS_KEY_ID: 'testing',
    AWS_SECRET_ACCESS_KEY: 'testing',
    AWS_REGION: 'us-east-1',
  });

  /** One live registration, one of a gone instance, one with a stale IP, one without an IPv4. */
  async function arrange() {
    const live = await world.runInstance();
    const serviceId = await world.createService('web');
    await world.register(serviceId, live.instanceId, { AWS_INSTANCE_IPV4: live.privateIp ?? '' });
    await world.register(serviceId, 'i-0000000000000dead', { AWS_INSTANCE_IPV4: '10.9.9.9' });
    const reused = await world.runInstance();
    await world.register(serviceId, reused.instanceId, { AWS_INSTANCE_IPV4: '10.200.0.1' });
    await world.register(serviceId, 'i-0000000000000beef', { AWS_INSTANCE_PORT: '8080' });
    return { serviceId, keep: [live.instanceId, 'i-0000000000000beef'].sort() };
  }

  const args = (serviceId: string, ...more: string[]) => [
    'cloudmap',
    'reconcile',
    '--service-id',
    serviceId,
    '--service-region',
    'us-east-1',
    '--instances-region',
    'us-east-1',
    'eu-west-1',
    ...more,
  ];

  it('--single-run deregisters what is gone and exits 0', async () => {
    const { serviceId, keep } = await arrange();

    const run = spawnCli(args(serviceId, '--single-run'), env());
    const { code } = await run.exited;

    expect(code).toBe(0);
    expect(await world.registered(serviceId)).toEqual(keep);
    expect(await run.waitForLog('reconcile finished')).toMatchObject({ ok: true, skipped: 1, kept: 1 });
  });

  it('--single-run exits non-zero when the pass fails', async () => {
    const run = spawnCli(args('srv-doesnotexist', '--single-run'), env());
    const { code } = await run.exited;

    expect(code).toBe(1);
    expect(await run.waitForLog('reconcile finished')).toMatchObject({
      ok: false,
      error: expect.stringContaining('srv-doesnotexist does not exist'),
    });
  });

  it('rejects bad arguments with a message that says what works', async () => {
    let err = '';
    const sink = {
      write: (text: string) => {
        err += text;
      },
    } as unknown as typeof process.stderr;
    const argv = ['cloudmap', 'reconcile', '--service-id', 'web', '--service-region', 'us-east-1'];

    const code = await runCli([...argv, '--instances-region', 'us-east-1'], {
      env: env(),
      stdout: sink as unknown as typeof process.stdout,
      stderr: sink,
    });

    expect(code).not.toBe(0);
    expect(err).toContain('"web" is not a Cloud Map service id (they look like srv-abc123)');
  });

  it('on SIGTERM finishes the reconcile in progress, then exits 0', async () => {
    const { serviceId, keep } = await arrange();
    // Every AWS call takes 300 ms through the proxy, so the pass is still running when the signal lands.
    const proxy = await startSlowProxy(moto.endpoint, 300);
    try {
      const run = spawnCli(args(serviceId, '--frequency', '3600'), env(proxy.endpoint));
      await run.waitForLog('reconcile started');

      run.proc.kill('SIGTERM');
      const { code, signal } = await run.exited;

      expect({ code, signal }).toEqual({ code: 0, signal: null });
      const messages = run.logs().map((l) => l.message);
      // Both must be logged, or indexOf's -1 would satisfy the ordering below.
      expect(messages).toContain('stopping after the reconcile in progress');
      expect(messages).toContain('reconcile finished');
      expect(messages.indexOf('stopping after the reconcile in progress')).toBeLessThan(
        messages.indexOf('reconcile finished'),
      );
      expect(messages.filter((m) => m === 'reconcile started')).toHaveLength(1);
      expect(await world.registered(serviceId)).toEqual(keep);
    } finally {
      await proxy.close();
    }
  });

  it('serves Prometheus metrics over HTTP, labelled by service id', async () => {
    const { serviceId } = await arrange();
    const port = await freePort();
    const run = spawnCli(
      args(serviceId, '--frequency', '3600', '--enable-prometheus', '--prometheus-port', String(port)),
      env(),
    );
    try {
      await run.waitForLog('reconcile finished');

      const res = await fetch(`http://127.0.0.1:${port}/metrics`);
      const body = await res.text();

      expect(res.status).toBe(200);
      const label = `{service_id="${serviceId}"}`;
      expect(body).toContain(`lightsout_cloudmap_up${label} 1`);
      expect(body).toContain(`lightsout_cloudmap_deregistered_total${label} 2`);
      expect(body).toContain(`lightsout_cloudmap_skipped_total${label} 1`);
      expect(body).toContain(`lightsout_cloudmap_errors_total${label} 0`);
      expect(body).toMatch(
        new RegExp(
          `lightsout_cloudmap_last_success_timestamp_seconds\\{service_id="${serviceId}"\\} \\d{10}`,
        ),
      );
      expect((await fetch(`http://127.0.0.1:${port}/other`)).status).toBe(404);
    } finally {
      run.proc.kill('SIGINT');
    }
    expect((await run.exited).code).toBe(0);
  });
});
