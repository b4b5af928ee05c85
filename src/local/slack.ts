/**
 * Slack in the single process: Socket Mode when SLACK_APP_TOKEN is set (no
 * public URL needed), otherwise Bolt's HTTP receiver mounted at
 * `/slack/events` on the shared server (PORT).
 */
import { HTTPReceiver } from '@slack/bolt';
import { slackTimestampProblem } from '../chat/slack/requestTimestamp.js';
import { boltLogger, createSlackApp, createSlackWebClient } from '../chat/slack/slackApp.js';
import { SlackDigestPoster } from '../chat/slack/slackDigest.js';
import { SlackGateway } from '../chat/slack/slackGateway.js';
import { SlackOwnerDirectory } from '../chat/slack/slackOwnerDirectory.js';
import { createSlackDigestClient, createSlackPostClient } from '../chat/slack/slackWebClient.js';
import { runSlackWork, type SlackWork } from '../chat/slack/slackWork.js';
import { SlackWorkloadProgressPoster } from '../chat/slack/slackWorkloadProgress.js';
import { worstCaseTryMs } from '../config/aws.js';
import { decodeRunToken } from '../core/message/runToken.js';
import { chartAssets } from '../wiring/chartAssets.js';
import type { LocalPlatformFactory } from './chat.js';

/** Pause before trying Socket Mode again after the client gave up. */
const SOCKET_RETRY_MS = 30_000;

export const SLACK_EVENTS_PATH = '/slack/events';

/** How shutdown names a click or command still at work when its deadline passes. */
function workName(w: SlackWork): string {
  if (w.kind === 'command') return `Slack /ec2 ${w.text.slice(0, 60)} by ${w.user.id}`;
  const action = w.kind === 'click' ? w.action : 'snooze-until';
  return `Slack ${action} click on ${decodeRunToken(w.token)?.instanceId ?? 'an unknown instance'} by ${w.user.id}`;
}

export const slackPlatform: LocalPlatformFactory = async ({ config, log }) => {
  const s = config.slack;
  if (!s.enabled) return undefined;
  if (!s.botToken) {
    throw new Error(
      'SLACK_SECRET_ARN is for Lambda; the single process needs SLACK_BOT_TOKEN (and SLACK_SIGNING_SECRET or SLACK_APP_TOKEN)',
    );
  }
  const slack = { ...s, botToken: s.botToken };
  const client = createSlackWebClient(slack, log);
  return {
    platform: 'slack',
    gateway: new SlackGateway(
      client,
      createSlackPostClient(slack, config.delivery.channelTimeoutSeconds, log),
    ),
    workloadProgress: new SlackWorkloadProgressPoster(client),
    ownerDirectory: new SlackOwnerDirectory(client),
    digestPoster: new SlackDigestPoster(createSlackDigestClient(slack, log), chartAssets()),
    policy: { stopAllow: s.stopAllow, admins: s.admins },
    fallbackChannel: s.fallbackChannel
      ? { platform: 'slack' as const, channelId: s.fallbackChannel }
      : undefined,
    async start({ core, subscriptions, instances, http, clock, late }) {
      // The click was acknowledged already; this process keeps running, so the work runs right here.
      const commands = core.commands('/ec2');
      const work = {
        actions: core.actions,
        commands,
        client,
        clock,
        log,
        deadlineMs: config.aws.chat.actionDeadlineMs,
        tryBudgetMs: worstCaseTryMs(config.aws.clients),
      };
      // Clicks queue for their turn (the answers go out first); the chat runtime's stop waits for them.
      const dispatch = (w: SlackWork): Promise<void> => late.run(() => runSlackWork(w, work), workName(w));
      const listeners = {
        commands,
        actions: core.actions,
        subscriptions,
        instances,
        clock,
        log,
        dispatch,
        // This process keeps running after an answer: a late slash command finishes here.
        ackBudgetMs: config.aws.chat.ackBudgetMs,
        handsOff: false,
        keep: (p: Promise<unknown>, name?: string) => late.keep(p, name),
      };
      if (s.appToken) {
        const app = createSlackApp({
          config: slack,
          transport: { socketMode: true, appToken: s.appToken },
          listeners,
          log,
        });
        // Connect in the background: a Slack outage or a bad token at start-up
        // must not hold back the engine (sweeps, schedules, nags to the log and
        // SNS). Nags that cannot reach Slack meanwhile are retried as usual.
        let stopped = false;
        let retry: NodeJS.Timeout | undefined;
        const connect = (): void => {
          app
            .start()
            .then(() => log.info('Slack connected in Socket Mode'))
            .catch((err: unknown) => {
              if (stopped) return;
              log.error('Slack Socket Mode could not connect; retrying in 30 s', { error: String(err) });
              retry = setTimeout(connect, SOCKET_RETRY_MS);
            });
        };
        connect();
        return {
          stop: async () => {
            stopped = true;
            clearTimeout(retry);
            await app.stop().catch(() => undefined);
          },
        };
      }
      const receiver = new HTTPReceiver({
        signingSecret: s.signingSecret ?? '',
        endpoints: SLACK_EVENTS_PATH,
        logger: boltLogger(log),
        // Answer as soon as a listener acknowledges: a click is acknowledged before its work
        // runs, and the work (which waits on AWS) must not hold up Slack's 3 s deadline.
        processBeforeResponse: false,
      });
      createSlackApp({ config: slack, transport: { receiver }, listeners, log });
      http.mount(SLACK_EVENTS_PATH, (req, res) => {
        // Wall-clock time, not the engine's clock: the window is about the network.
        const stamp = req.headers['x-slack-request-timestamp'];
        const problem = slackTimestampProblem(Array.isArray(stamp) ? stamp[0] : stamp, Date.now());
        if (problem) {
          log.warn(`rejected Slack request: ${problem}`, { requestTimestamp: String(stamp).slice(0, 20) });
          res.writeHead(401).end();
          return;
        }
        return receiver.requestListener(req, res);
      });
      log.info('Slack HTTP receiver mounted', { path: SLACK_EVENTS_PATH, port: s.port });
      return { stop: async () => undefined };
    },
  };
};
