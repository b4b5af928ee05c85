/**
 * Teams wiring, in two steps because the chat core needs the Teams gateway
 * and the Teams bot needs the chat core:
 *
 *   const transport = createTeamsTransport(config.teams, log);          // adapter + gateway
 *   const core = createChatCore({ …, gateways: [transport.gateway], policies: { teams: teamsAccessPolicy(config.teams) } });
 *   const endpoint = createTeamsEndpoint(transport, { core, subscriptions, installations, clock, log });
 *   endpoint.handle({ method, headers, body })                          // Lambda; or endpoint.listener for node:http
 */
import type { TeamsConfig } from '../../config/teams.js';
import type { Log } from '../../log.js';
import type { ChatInstallationStore } from '../../ports/chatInstallationStore.js';
import type { Clock } from '../../ports/clock.js';
import type { ChannelRef, SubscriptionStore } from '../../ports/subscriptionStore.js';
import type { AccessPolicy } from '../core/authorizer.js';
import type { ChatCore } from '../core/chatCore.js';
import type { CloudAdapter } from './agentsSdk.js';
import { createTeamsAdapter, type TeamsAdapterOptions } from './teamsAdapter.js';
import { createRequestAuthorizer, type RequestAuthorizer } from './teamsAuth.js';
import { TeamsBot } from './teamsBot.js';
import { TeamsGateway } from './teamsGateway.js';
import {
  type HttpRequestLike,
  type HttpResponseLike,
  processTeamsRequest,
  teamsRequestListener,
} from './teamsHttp.js';
import type { TeamsHandOff } from './teamsLateWork.js';

/** How Teams usage lines spell the command. */
export const TEAMS_COMMAND_PREFIX = '@Lights Out';

export interface TeamsTransport {
  adapter: CloudAdapter;
  /** Checks each inbound request's token before the adapter sees it. */
  authorize: RequestAuthorizer;
  gateway: TeamsGateway;
}

export function createTeamsTransport(
  config: TeamsConfig,
  log: Log,
  opts: TeamsAdapterOptions = {},
): TeamsTransport {
  const { adapter, auth } = createTeamsAdapter(config, log, opts);
  return {
    adapter,
    authorize: createRequestAuthorizer(auth, log),
    gateway: new TeamsGateway(adapter, config.clientId ?? ''),
  };
}

export function teamsAccessPolicy(config: TeamsConfig): AccessPolicy {
  return { stopAllow: config.stopAllow, admins: config.admins };
}

/**
 * The Teams fallback channel as the chat core needs it. A proactive post
 * needs the tenant's service URL, which only Teams can tell: it is taken from
 * an installation in the same deployment (one tenant shares one service URL).
 */
export async function teamsFallbackChannel(
  config: TeamsConfig,
  installations: ChatInstallationStore,
): Promise<ChannelRef | undefined> {
  if (!config.fallbackChannel) return undefined;
  const known = (await installations.all('teams')).find((i) => i.channel.serviceUrl);
  if (!known) return undefined;
  return {
    platform: 'teams',
    channelId: config.fallbackChannel,
    serviceUrl: known.channel.serviceUrl,
    tenantId: known.channel.tenantId ?? config.tenantId,
  };
}

export interface TeamsEndpointDeps {
  core: Pick<ChatCore, 'actions' | 'commands'>;
  subscriptions: SubscriptionStore;
  installations: ChatInstallationStore;
  clock: Clock;
  log: Log;
  /** CHAT_ACK_BUDGET: requests whose work takes longer get an interim answer. */
  ackBudgetMs: number;
  /** CHAT_ACTION_DEADLINE: how long a click keeps trying while AWS fails. */
  deadlineMs: number;
  /** The longest one try of a click can take (`worstCaseTryMs`). */
  tryBudgetMs?: number;
  /** Lambda only: hands late work to an asynchronous invocation (see `teamsLateWork.ts`). */
  handOff?: TeamsHandOff;
  /** The single process: late work is handed here so shutdown waits for it. */
  keep?: (late: Promise<unknown>, name?: string, follows?: Promise<unknown>) => void;
  /** The single process: the bounded queue a click's action waits its turn in. */
  queue?: <T>(task: () => Promise<T>, name?: string) => Promise<T>;
}

export interface TeamsEndpoint {
  bot: TeamsBot;
  /** One request in, one response out (Lambda). */
  handle(req: HttpRequestLike): Promise<HttpResponseLike>;
  /** node:http handler for the single process's `/api/messages`. */
  listener: ReturnType<typeof teamsRequestListener>;
}

export function createTeamsEndpoint(transport: TeamsTransport, deps: TeamsEndpointDeps): TeamsEndpoint {
  const bot = new TeamsBot({
    commands: deps.core.commands(TEAMS_COMMAND_PREFIX),
    actions: deps.core.actions,
    subscriptions: deps.subscriptions,
    installations: deps.installations,
    gateway: transport.gateway,
    clock: deps.clock,
    log: deps.log,
    ackBudgetMs: deps.ackBudgetMs,
    deadlineMs: deps.deadlineMs,
    tryBudgetMs: deps.tryBudgetMs,
    handOff: deps.handOff,
    keep: deps.keep,
    queue: deps.queue,
  });
  return {
    bot,
    handle: (req) => processTeamsRequest(transport.adapter, transport.authorize, bot, req, deps.log),
    listener: teamsRequestListener(transport.adapter, transport.authorize, bot, deps.log),
  };
}
