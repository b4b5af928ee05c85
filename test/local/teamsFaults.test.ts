/**
 * Teams clicks in the single process while EC2 fails, through the process as
 * `npm start` builds it (`/api/messages` on the shared server, SQLite), moto
 * behind the fault proxy and the loopback Bot Connector. A Stop that EC2
 * throttles past the SDK's own retries is tried again, as a Slack click's is,
 * and stops once; and clicks' actions wait their turn in the queue Slack
 * clicks use, so a burst while EC2 hangs holds at most four actions at EC2.
 */
import { EC2Client } from '@aws-sdk/client-ec2';
import { beforeEach, describe, expect, it } from 'vitest';
import { HOUR } from '../../src/core/duration.js';
import { startSingleProcess } from '../../src/local/singleProcess.js';
import { createLogger } from '../../src/log.js';
import { execute, mention } from '../chat/teams/activities.js';
import { OPS } from '../chat/teams/teamsWorld.js';
import { cardsOf } from '../support/adaptiveCards.js';
import { freePort } from '../support/cliProcess.js';
import { useFakeBotConnector } from '../support/fakeBotConnector.js';
import { VirtualClock } from '../support/fakes.js';
import { useFaultProxy } from '../support/faultProxy.js';
import { launchTagged, localConfig, useLocalProcess } from '../support/localProcess.js';
import { useMoto } from '../support/moto.js';

describe('Teams clicks in the single process while EC2 fails', () => {
  const moto = useMoto();
  const faults = useFaultProxy(moto);
  const local = useLocalProcess('lightsout-teams-faults-');
  const connector = useFakeBotConnector();

  beforeEach(() => moto.reset());

  const postTeams = async (port: number, activity: unknown) => {
    const res = await fetch(`http://127.0.0.1:${port}/api/messages`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(activity),
    });
    return { status: res.status, body: JSON.stringify(await res.json().catch(() => '')) };
  };

  /** The process with Teams only, `count` nagged instances, and each nag card's id and run token. */
  async function nagged(count: number, env: Record<string, string> = {}) {
    const ec2 = new EC2Client(moto.clientConfig);
    const instances = await launchTagged(
      ec2,
      { Monitor: 'true', MonitorGroup: 'web', Threshold: '1', Name: 'build' },
      count,
    );
    const clock = new VirtualClock(new Date(instances[0]!.LaunchTime!.getTime() + 60_000));
    const port = await freePort();
    const config = localConfig(local.dir, { TEAMS_ENABLED: 'true', PORT: String(port), ...env });
    local.app = await startSingleProcess({ config, log: createLogger('test', 'ERROR'), clock: clock.now });
    expect((await postTeams(port, mention(connector.serviceUrl, 'subscribe web'))).status).toBe(200);
    clock.advance(2 * HOUR - 60);
    await local.app.service.runDueNags();
    const cards = connector.sent
      .filter((s) => s.conversationId === OPS && cardsOf(s.activity).length)
      .map((s) => ({
        id: s.id,
        token: /"token":"([^"]+)"/.exec(JSON.stringify(cardsOf(s.activity)[0]))![1]!,
      }));
    expect(cards).toHaveLength(count);
    const stop = (card: { id: string; token: string }) =>
      postTeams(
        port,
        execute(connector.serviceUrl, card.id, {
          verb: 'lightsout.stop',
          data: { token: card.token, confirmed: true },
        }),
      );
    return { cards, stop, clock };
  }

  it('tries a Stop again when EC2 throttles past the SDK retries, and stops exactly once', {
    timeout: 120_000,
  }, async () => {
    // Arrange: StopInstances is throttled three times (every SDK attempt of the first try).
    const { cards, stop } = await nagged(1);
    const proxy = faults.get();
    proxy.resetCounters();
    proxy.addRule({ action: 'StopInstances', fault: { kind: 'throttle' }, times: 3 });
    const sentBefore = connector.sent.length;

    // Act
    const click = await stop(cards[0]!);

    // Assert: the answer (the card inline, or the interim note then the card rewritten) ends at stopped.
    expect(click.status).toBe(200);
    await expect
      .poll(
        () =>
          click.body + JSON.stringify(connector.updates.filter((u) => u.id === cards[0]!.id).at(-1) ?? ''),
        { timeout: 60_000 },
      )
      .toContain('Stopped by Alice Example');
    expect(proxy.count('StopInstances')).toMatchObject({ throttled: 3, forwarded: 1 });
    const notes = connector.sent.slice(sentBefore).map((s) => String(s.activity.text ?? ''));
    expect(notes.filter((t) => t.startsWith('Could not'))).toEqual([]);
  });

  it('queues a burst of clicks: while EC2 hangs, four actions wait at EC2, the rest wait their turn', {
    timeout: 120_000,
  }, async () => {
    // Arrange: six nagged instances; StopInstances hangs (for longer than the test: no SDK re-attempt).
    const { cards, stop } = await nagged(6, { AWS_REQUEST_TIMEOUT: '300s' });
    const proxy = faults.get();
    proxy.addRule({ action: 'StopInstances', fault: { kind: 'hang' } });
    const before = proxy.count('StopInstances');

    // Act: six Stop clicks at once, every one answered while EC2 holds the calls.
    const answers = await Promise.all(cards.map((c) => stop(c)));
    await expect.poll(() => proxy.pendingHangs(), { timeout: 30_000 }).toBe(4);
    const reachedWhileHung = proxy.count('StopInstances').received - before.received;
    proxy.recover();

    // Assert
    expect(answers.map((a) => a.status)).toEqual([200, 200, 200, 200, 200, 200]);
    expect(answers.every((a) => a.body.includes('The card updates when it is done'))).toBe(true);
    expect(reachedWhileHung).toBe(4);
    await expect
      .poll(() => cards.filter((c) => JSON.stringify(connector.updates).includes(c.id)).length, {
        timeout: 60_000,
      })
      .toBe(6);
    expect(proxy.count('StopInstances').forwarded - before.forwarded).toBe(6);
  });

  it('counts CHAT_ACTION_DEADLINE from the click: a click whose deadline passed in the queue tries once, then says it could not', {
    timeout: 120_000,
  }, async () => {
    // Arrange: a 15 minute deadline; a try may take 2 × (3 s + 300 s), so a click may start another
    // try until ~5 minutes after it was answered. Six clicks while StopInstances hangs: four hold
    // the queue's slots at EC2, two wait their turn.
    const { cards, stop, clock } = await nagged(6, {
      AWS_REQUEST_TIMEOUT: '300s',
      AWS_MAX_ATTEMPTS: '1',
      CHAT_ACTION_DEADLINE: '15m',
    });
    const proxy = faults.get();
    const hang = proxy.addRule({ action: 'StopInstances', fault: { kind: 'hang' } });
    const answers = await Promise.all(cards.map((c) => stop(c)));
    await expect.poll(() => proxy.pendingHangs(), { timeout: 30_000 }).toBe(4);
    const before = proxy.count('StopInstances');

    // Act: the deadline passes while the two wait; then the held calls are answered, and EC2
    // throttles every StopInstances from then on.
    clock.advance(16 * 60);
    hang.remove();
    proxy.addRule({ action: 'StopInstances', fault: { kind: 'throttle' } });
    proxy.releaseHangs();

    // Assert: the two queued clicks each made one try (one throttled call, the SDK's only attempt)
    // and told their clickers on the card, instead of trying again for a deadline counted from their turn.
    expect(answers.map((a) => a.status)).toEqual([200, 200, 200, 200, 200, 200]);
    // The single process tells the clicker on the clicked card itself, rewritten with the notice.
    const couldNot = () =>
      connector.updates.filter((u) => JSON.stringify(u.activity).includes('Could not stop'));
    await expect.poll(() => couldNot().length, { timeout: 60_000 }).toBe(2);
    expect(JSON.stringify(couldNot()[0]!.activity)).toContain('AWS is busy or throttling');
    const after = proxy.count('StopInstances');
    expect(after.forwarded - before.forwarded).toBe(4);
    expect(after.throttled - before.throttled).toBe(2);
  });
});
