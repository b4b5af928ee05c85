/**
 * `@Lights Out workload …` in Teams: the chat core's workload extension with
 * usage and confirmation lines spelled the Teams way, and the run's progress
 * as one Adaptive Card rewritten in place as tiers stop.
 */
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { workloadCommands } from '../../../src/chat/core/workloadCommands.js';
import { workloadProgressListener } from '../../../src/chat/core/workloadProgress.js';
import { TeamsWorkloadProgressPoster } from '../../../src/chat/teams/teamsWorkloadProgress.js';
import { adaptiveCardProblems, cardsOf } from '../../support/adaptiveCards.js';
import { type FakeBotConnector, startFakeBotConnector } from '../../support/fakeBotConnector.js';
import { useMoto } from '../../support/moto.js';
import { threeTierSpec, workloadWorld } from '../../support/workloadWorld.js';
import { mention } from './activities.js';
import { ALICE, createTeamsWorld, OPS, type TeamsWorld } from './teamsWorld.js';

const moto = useMoto();
let connector: FakeBotConnector;
let teams: TeamsWorld | undefined;

beforeAll(async () => {
  connector = await startFakeBotConnector();
});
afterAll(() => connector.close());
beforeEach(async () => {
  await moto.reset();
  connector.reset();
});
afterEach(async () => {
  await teams?.close();
  teams = undefined;
});

/** A Teams world whose chat core has the workload extension, wired as the runtimes wire it. */
async function setup(admins: string[]) {
  const workloads = workloadWorld(moto, {
    specs: [
      threeTierSpec({
        tiers: threeTierSpec().tiers.map((t) => ({ ...t, stop: { ...t.stop, delaySeconds: 0 } })),
      }),
    ],
  });
  teams = await createTeamsWorld(
    moto,
    connector,
    {},
    {
      extensions: (gateway) => {
        const poster = new TeamsWorkloadProgressPoster(gateway);
        workloads.status.subscribe(workloadProgressListener([poster]));
        return [
          workloadCommands({
            service: workloads.service,
            admins,
            posters: [poster],
            clock: workloads.time.now,
          }),
        ];
      },
    },
  );
  return { workloads, teams };
}

const lastText = () => String(connector.sent.at(-1)!.activity.text);

describe('Teams workload commands', () => {
  it('asks to confirm with a line Teams users can send back, then keeps one progress card updated', async () => {
    // Arrange
    const { workloads, teams } = await setup([`teams:${ALICE}`]);
    await workloads.launch(1, { Environment: 'ENV001', Role: 'app' });

    // Act 1
    await teams.post(mention(connector.serviceUrl, 'workload stop shop'));
    const ask = lastText();
    const again = /send: @Lights Out (workload stop shop --confirm \w+)/.exec(ask)?.[1];

    // Assert 1
    expect(ask).toMatch(/\*\*Confirm: stop workload shop\?\*\*/);
    expect(again).toBeDefined();

    // Act 2
    connector.reset();
    await teams.post(mention(connector.serviceUrl, again!));
    await workloads.drive();

    // Assert 2
    const progress = connector.sent.find((s) => s.conversationId === OPS)!;
    expect(cardsOf(progress.activity)).toHaveLength(1);
    expect(
      connector.sent.some((s) =>
        /Run \S+ started; progress is posted in this channel/.test(String(s.activity.text)),
      ),
    ).toBe(true);
    const updates = connector.updates.filter((u) => u.id === progress.id);
    expect(updates.length).toBeGreaterThan(0);
    const final = cardsOf(updates.at(-1)!.activity)[0];
    expect(adaptiveCardProblems(final)).toEqual([]);
    expect(JSON.stringify(final)).toMatch(/succeeded: 1 stopped/);
  });

  it('names the Teams spelling in workload usage and refusals', async () => {
    const { teams } = await setup(['teams:someone-else']);

    await teams.post(mention(connector.serviceUrl, 'workload frobnicate'));
    const usage = lastText();
    await teams.post(mention(connector.serviceUrl, 'workload start shop'));

    expect(usage).toMatch(/@Lights Out workload/);
    expect(usage).not.toMatch(/\/ec2/);
    expect(lastText()).toMatch(/You can still preview: @Lights Out workload start shop --dry-run/);
  });
});
