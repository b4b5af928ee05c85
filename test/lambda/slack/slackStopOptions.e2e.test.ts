/**
 * Hibernate and stop protection over Slack, through the real Slack function:
 * signed requests into the Bolt receiver, the Web API on a loopback server,
 * EC2 on moto behind the fault proxy (which counts and reads StopInstances).
 * moto implements `HibernationOptions` and `DisableApiStop` as EC2 does.
 */
import { CreateTagsCommand, ModifyInstanceAttributeCommand, RunInstancesCommand } from '@aws-sdk/client-ec2';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { InstanceRecord } from '../../../src/core/instance.js';
import { buildNagNotification } from '../../../src/core/notification.js';
import type { FakeSlackApi } from '../../support/fakeSlackApi.js';
import { useFaultProxy } from '../../support/faultProxy.js';
import { LAMBDA_REGION } from '../../support/lambdaEngine.js';
import { useMoto } from '../../support/moto.js';
import { blockActionBody, FORM, lambdaEvent, slashCommandBody } from '../../support/slackRequests.js';
import { buildWorld, type SlackLambdaWorld, snsEvent, startFakeSlackApi } from './lambdaHarness.js';

const moto = useMoto();
const proxy = useFaultProxy(moto);
let slack: FakeSlackApi;
let world: SlackLambdaWorld;

beforeAll(async () => {
  slack = await startFakeSlackApi();
});
afterAll(async () => {
  await slack.close();
});
beforeEach(async () => {
  world = await buildWorld(moto, slack);
  proxy.reset();
  await world.events(lambdaEvent(slashCommandBody('subscribe web'), FORM));
});

type Block = { type: string; block_id?: string; elements?: { action_id?: string }[] };
const textOf = (v: unknown) => JSON.stringify(v);
const actionIds = (blocks: Block[]) =>
  blocks.find((b) => b.type === 'actions')?.elements?.map((e) => e.action_id) ?? [];

/** Like `world.launch`, with hibernation configured at launch. */
async function launchHibernating(name: string): Promise<InstanceRecord> {
  const run = await world.ec2.send(
    new RunInstancesCommand({
      ImageId: 'ami-12345678',
      MinCount: 1,
      MaxCount: 1,
      InstanceType: 'm5.large',
      HibernationOptions: { Configured: true },
    }),
  );
  const id = run.Instances![0]!.InstanceId!;
  await world.ec2.send(
    new CreateTagsCommand({
      Resources: [id],
      Tags: [
        { Key: 'Monitor', Value: 'true' },
        { Key: 'MonitorGroup', Value: 'web' },
        { Key: 'Name', Value: name },
      ],
    }),
  );
  await world.engine.handleStateChange({
    region: LAMBDA_REGION,
    instanceId: id,
    state: 'running',
    time: new Date().toISOString(),
  });
  return (await world.store.get({ region: LAMBDA_REGION, instanceId: id }))!;
}

async function postNag(record: InstanceRecord) {
  await world.notify(
    snsEvent(`sns-${record.instanceId}-${Date.now()}`, buildNagNotification(record, new Date())),
  );
  const post = slack.callsTo('chat.postMessage').at(-1)!;
  const blocks = post.args.blocks as Block[];
  const token = blocks.find((b) => b.type === 'actions')!.block_id!;
  const ts = (await world.store.get(record))!.chatRefs[0]!.messageId;
  return { blocks, token, ts };
}

const slash = async (text: string) =>
  JSON.parse((await world.events(lambdaEvent(slashCommandBody(text), FORM))).body ?? '{}') as {
    text?: string;
    blocks?: Block[];
  };

describe('Hibernate over Slack', () => {
  it('offers Hibernate where hibernation is configured; pressing it hibernates and says who', async () => {
    // Arrange
    const record = await launchHibernating('render-1');
    const { blocks, token, ts } = await postNag(record);

    // Act
    await world.events(
      lambdaEvent(
        blockActionBody({
          actionId: 'lightsout.hibernate',
          blockId: token,
          messageTs: ts,
          responseUrl: slack.responseUrl(),
        }),
        FORM,
      ),
    );

    // Assert
    expect(actionIds(blocks)).toEqual(
      expect.arrayContaining(['lightsout.stop', 'lightsout.hibernate', 'lightsout.snooze']),
    );
    const calls = proxy.get().calls('StopInstances');
    expect(calls).toHaveLength(1);
    expect(calls[0]!.params).toMatchObject({ Hibernate: 'true', 'InstanceId.1': record.instanceId });
    expect(textOf(slack.callsTo('chat.update').at(-1)!.args.blocks)).toContain('Hibernated by <@U0ALICE>');
    expect(slack.callsTo('chat.postEphemeral').at(-1)!.args.text).toMatch(
      /^Hibernating render-1 \(i-\w+\) after /,
    );
    expect((await world.store.get(record))?.lastStop).toMatchObject({ hibernated: true });
  });

  it('offers no Hibernate on an instance launched without it', async () => {
    const record = await world.launch('web-1');

    const { blocks } = await postNag(record);

    expect(actionIds(blocks)).toContain('lightsout.stop');
    expect(actionIds(blocks)).not.toContain('lightsout.hibernate');
  });

  it('`/ec2 stop <instance> --hibernate` asks to confirm with Hibernate only, or refuses privately where it cannot', async () => {
    // Arrange
    await launchHibernating('render-2');
    await world.launch('web-2');

    // Act
    const ok = await slash('stop render-2 --hibernate');
    const refused = await slash('stop web-2 --hibernate');

    // Assert
    expect(ok.text ?? textOf(ok.blocks)).toContain('Hibernate render-2');
    expect(actionIds(ok.blocks ?? [])).toEqual(expect.arrayContaining(['lightsout.hibernate']));
    expect(actionIds(ok.blocks ?? [])).not.toContain('lightsout.stop');
    expect(refused.text).toContain('cannot hibernate: hibernation was not configured when it was launched');
    expect(proxy.get().count('StopInstances').received).toBe(0);
  });

  it('refuses an unknown stop option with the usage', async () => {
    const reply = await slash('stop web-1 --force');

    expect(reply.text).toContain(
      'unknown option "--force" (use --hibernate, --at 19:00, --in 2h, --when-idle [--for 30m] or --cancel)',
    );
    expect(textOf(reply)).toContain(
      '/ec2 stop &lt;instance-id|Name&gt; [--hibernate | --at 19:00 | --in 2h | --when-idle',
    );
  });
});

describe('Stop protection over Slack', () => {
  it('explains a refused Stop, remembers it, and then shows "stop-protected" instead of Stop', async () => {
    // Arrange: the instance is protected, which Lights Out learns when EC2 refuses.
    const record = await world.launch('db-1');
    await world.ec2.send(
      new ModifyInstanceAttributeCommand({ InstanceId: record.instanceId, DisableApiStop: { Value: true } }),
    );
    const card = await slash('stop db-1');
    const token = card.blocks!.find((b) => b.type === 'actions')!.block_id!;

    // Act
    await world.events(
      lambdaEvent(
        blockActionBody({
          actionId: 'lightsout.stop',
          blockId: token,
          messageTs: '1700000099.000001',
          ephemeral: true,
          responseUrl: slack.responseUrl('card'),
        }),
        FORM,
      ),
    );
    const again = await slash('stop db-1');
    const nag = await postNag((await world.store.get(record))!);

    // Assert
    const notices = [...slack.callsTo('chat.postEphemeral'), ...slack.callsTo('response_url/card')].map((c) =>
      textOf(c.args),
    );
    expect(notices.join('\n')).toContain('is stop-protected (DisableApiStop), so EC2 refuses to stop it');
    expect(await world.instanceState(record.instanceId)).toBe('running');
    expect(again.text).toContain('is stop-protected (DisableApiStop)');
    expect(again.text).toContain(`--instance-id ${record.instanceId} --no-disable-api-stop`);
    expect(actionIds(nag.blocks)).not.toContain('lightsout.stop');
    expect(actionIds(nag.blocks)).toContain('lightsout.snooze');
    expect(textOf(nag.blocks)).toContain('stop-protected: DisableApiStop is set');
    expect(proxy.get().count('StopInstances').received).toBe(1);
  });
});
