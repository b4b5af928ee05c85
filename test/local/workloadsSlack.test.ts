/**
 * `/ec2 workload` end to end in the single process: signed slash commands
 * into the real Bolt receiver, moto EC2/SSM, the fake Slack Web API. An admin
 * confirms a stop; the run posts one progress message and updates it to the
 * summary. Someone else gets a private refusal.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { DescribeInstancesCommand, EC2Client } from '@aws-sdk/client-ec2';
import { beforeEach, describe, expect, it } from 'vitest';
import { startSingleProcess } from '../../src/local/singleProcess.js';
import { createLogger } from '../../src/log.js';
import { freePort } from '../support/cliProcess.js';
import { useFakeSlackApi } from '../support/fakeSlackApi.js';
import {
  launchTagged,
  localConfig,
  postSlackEvent,
  slackHttpEnv,
  useLocalProcess,
} from '../support/localProcess.js';
import { useMoto } from '../support/moto.js';
import { slashCommandBody } from '../support/slackRequests.js';

const SPEC = `workloads:
  - name: shop
    region: us-east-1
    workloadTag: { key: Environment, value: ENV001 }
    tierTag: Role
    tiers:
      - { name: web, start: { sequence: 1 }, stop: { sequence: 0 } }
      - { name: db, start: { sequence: 0 }, stop: { sequence: 1 } }
`;

describe('/ec2 workload over Slack in the single process', () => {
  const moto = useMoto();
  const local = useLocalProcess('lightsout-wl-slack-');
  const slack = useFakeSlackApi();

  beforeEach(async () => {
    await moto.reset();
    writeFileSync(join(local.dir, 'workloads.yaml'), SPEC);
  });

  async function start() {
    const port = await freePort();
    const config = localConfig(local.dir, {
      ...slackHttpEnv(slack, port),
      WORKLOADS_FILE: join(local.dir, 'workloads.yaml'),
      WORKLOAD_ADMINS: 'slack:U0ALICE',
    });
    local.app = await startSingleProcess({ config, log: createLogger('test', 'ERROR') });
    return async (text: string, user = 'U0ALICE') => {
      const res = await postSlackEvent(port, slashCommandBody(text, { user }));
      return { status: res.status, text: await res.text() };
    };
  }

  it('confirms, runs, and keeps one progress message updated to the summary', async () => {
    const ec2 = new EC2Client(moto.clientConfig);
    const launched = await launchTagged(ec2, { Environment: 'ENV001', Role: 'web' }, 2);
    const ids = launched.map((i) => i.InstanceId ?? '');
    const command = await start();

    const ask = await command('workload stop shop');
    const code = /--confirm ([0-9A-Z]{6})/.exec(ask.text)?.[1];
    const go = await command(`workload stop shop --confirm ${code}`);

    expect(ask.status).toBe(200);
    expect(ask.text).toContain('Confirm: stop workload shop?');
    expect(go.text).toContain('started; progress is posted in this channel');
    // The run goes on in the process after the command is answered; give a loaded machine time.
    await expect
      .poll(() => JSON.stringify(slack.callsTo('chat.update').at(-1)?.args.text ?? ''), { timeout: 15_000 })
      .toContain('succeeded: 2 stopped');
    expect(slack.callsTo('chat.postMessage').map((c) => String(c.args.text).split('\n')[0])).toEqual([
      expect.stringMatching(/^\*Stopping workload shop, run \d{8}T\d{6}Z-\w+, asked by slack:U0ALICE\*$/),
    ]);
    const states = await ec2.send(new DescribeInstancesCommand({ InstanceIds: ids }));
    expect(states.Reservations?.flatMap((r) => r.Instances ?? []).map((i) => i.State?.Name)).toEqual([
      'stopped',
      'stopped',
    ]);
  });

  it('refuses someone who is not a workload admin, privately', async () => {
    const command = await start();

    const reply = await command('workload stop shop', 'U0BOB');

    expect(reply.text).toContain('Only workload admins may stop workloads');
    expect(reply.text).not.toContain('in_channel');
    expect(slack.callsTo('chat.postMessage')).toEqual([]);
  });
});
