/**
 * The Teams side of the outbound ChatGateway port: posts nag cards
 * proactively through stored conversation references, replaces them in place
 * and replies in their threads. A post to a channel's conversation id starts
 * a new thread; the thread is then addressed as `<channel>;messageid=<root>`.
 */
import { NotFoundError } from '../../core/errors.js';
import type { ChatMessageRef } from '../../core/instance.js';
import { headline, type NagMessage } from '../../core/message/nagMessage.js';
import type { ChatGateway, ThreadReplyOptions } from '../../ports/chat.js';
import type { ChannelRef } from '../../ports/subscriptionStore.js';
import {
  Activity,
  CardFactory,
  type CloudAdapter,
  type ConversationParameters,
  type ConversationReference,
  MessageFactory,
  type TurnContext,
} from './agentsSdk.js';
import { renderNagCard, renderWarningCard } from './nagCard.js';
import { baseConversationId, TEAMS_CHANNEL_ID } from './teamsActivity.js';
import { clampMarkdown, clampMessageText } from './teamsLimits.js';
import { messageMarkdown } from './teamsMarkdown.js';
import { teamsMentions } from './teamsMentions.js';

/** The card as a message; `summary` is what Teams shows in notifications and the activity feed. */
function cardActivity(message: NagMessage): Activity {
  const activity = MessageFactory.attachment(CardFactory.adaptiveCard(renderNagCard(message)));
  activity.summary = clampMarkdown(headline(message), 200);
  return activity;
}

/** Messages built elsewhere (or by hand) become the SDK's Activity, which validates their shape. */
const asActivity = (a: Partial<Activity>): Activity => (a instanceof Activity ? a : Activity.fromObject(a));

/** Group chats (`…@thread.v2`) have no threads; channels (`…@thread.tacv2`, `…@thread.skype`) do. */
const isGroupChat = (conversationId: string) => /@thread\.v2$/.test(conversationId);
/** A person's 1:1 chat with the bot (`a:…`): no threads, and not a group. */
const isPersonal = (conversationId: string) => !/@thread\./.test(conversationId);
const hasThreads = (conversationId: string) => !isGroupChat(conversationId) && !isPersonal(conversationId);

/** The connector's calls the owner lookup needs, as the Agents SDK's ConnectorClient offers them. */
interface MemberCalls {
  getConversationMember(userId: string, conversationId: string): Promise<TeamsMember>;
  /** The SDK has no call for the paged member list; its HTTP client (token and retries included) reaches it. */
  httpClient: {
    request(config: { method: 'get'; url: string }): Promise<{
      data?: { members?: TeamsMember[]; continuationToken?: string };
    }>;
  };
  createConversation(body: ConversationParameters): Promise<{ id?: string; serviceUrl?: string }>;
}

/** A team member as the connector describes them (a TeamsChannelAccount). */
export interface TeamsMember {
  id: string;
  name?: string;
  aadObjectId?: string;
  email?: string;
  userPrincipalName?: string;
  tenantId?: string;
}

export class TeamsGateway implements ChatGateway {
  readonly platform = 'teams' as const;

  constructor(
    private readonly adapter: CloudAdapter,
    /** Empty in unauthenticated mode. */
    private readonly appId: string,
  ) {}

  private reference(
    conversationId: string,
    serviceUrl: string | undefined,
    tenantId?: string,
    stored?: Record<string, unknown>,
  ): ConversationReference {
    // References stored by the Bot Framework SDK name the bot `bot`; the Agents SDK calls it `agent`.
    const { bot, ...base } = (stored ?? {}) as Partial<ConversationReference> & {
      bot?: ConversationReference['agent'];
    };
    const url = serviceUrl ?? base.serviceUrl;
    if (!url)
      throw new Error(
        `Teams conversation ${conversationId} has no service URL; re-run "subscribe" in that channel`,
      );
    return {
      ...base,
      channelId: TEAMS_CHANNEL_ID,
      serviceUrl: url,
      agent: base.agent ?? bot ?? { id: this.appId ? `28:${this.appId}` : 'lightsout', name: 'Lights Out' },
      conversation: {
        ...(base.conversation ?? {}),
        id: conversationId,
        isGroup: !isPersonal(conversationId),
        tenantId,
        conversationType: isPersonal(conversationId)
          ? 'personal'
          : isGroupChat(conversationId)
            ? 'groupChat'
            : 'channel',
      },
      activityId: undefined,
    };
  }

  private async within(
    reference: ConversationReference,
    logic: (ctx: TurnContext) => Promise<void>,
  ): Promise<void> {
    // The adapter hands turn errors to onTurnError, which logs and swallows them; a proactive
    // send that failed must throw here so the delivery is retried, not recorded as done.
    let failure: { error: unknown } | undefined;
    // Unauthenticated mode has no app id; an identity without an audience makes the SDK call the connector without a token.
    const identity = this.appId || {};
    await this.adapter.continueConversation(identity, reference, async (ctx) => {
      // The SDK marks proactive sends as replies to its synthetic continuation event; Teams would
      // read that as a reply to a message that does not exist. A post to the channel id starts a thread.
      ctx.onSendActivities(async (_ctx, activities, next) => {
        for (const a of activities) delete a.replyToId;
        return next();
      });
      try {
        await logic(ctx);
      } catch (error) {
        failure = { error };
      }
    });
    if (failure) throw failure.error;
  }

  async post(channel: ChannelRef, message: NagMessage): Promise<ChatMessageRef> {
    return this.postActivity(channel, cardActivity(message));
  }

  async postText(channel: ChannelRef, text: string): Promise<ChatMessageRef> {
    return this.postActivity(channel, MessageFactory.text(clampMessageText(messageMarkdown(text))));
  }

  /** Posts any message as a new thread in the channel; the ref updates it later. */
  async postActivity(channel: ChannelRef, activity: Partial<Activity>): Promise<ChatMessageRef> {
    const channelId = baseConversationId(channel.channelId);
    let messageId: string | undefined;
    await this.within(
      this.reference(channelId, channel.serviceUrl, channel.tenantId, channel.conversationReference),
      async (ctx) => {
        const res = await ctx.sendActivity(asActivity(activity));
        messageId = res?.id;
      },
    );
    if (!messageId) throw new Error(`Teams accepted the message in ${channelId} but returned no activity id`);
    const ref = this.reference(
      channelId,
      channel.serviceUrl,
      channel.tenantId,
      channel.conversationReference,
    );
    return {
      platform: 'teams',
      channelId,
      messageId,
      serviceUrl: ref.serviceUrl,
      tenantId: channel.tenantId,
    };
  }

  /** Throws NotFoundError when the message was deleted, so the chat core posts a new one. */
  async update(ref: ChatMessageRef, message: NagMessage): Promise<void> {
    try {
      await this.updateActivity(ref, cardActivity(message));
    } catch (err) {
      if ((err as { status?: number }).status === 404) {
        throw new NotFoundError(`Teams message ${ref.messageId} in ${ref.channelId} no longer exists`, {
          cause: err,
        });
      }
      throw err;
    }
  }

  /** Replaces a message posted by `postActivity` (or `post`) in place. */
  async updateActivity(ref: ChatMessageRef, activity: Partial<Activity>): Promise<void> {
    const reference = this.reference(ref.channelId, ref.serviceUrl, ref.tenantId);
    await this.within(reference, async (ctx) => {
      await ctx.updateActivity(asActivity({ ...activity, id: ref.messageId }));
    });
  }

  /**
   * Sends a message into a stored conversation as it is, e.g. a person's 1:1
   * chat with the bot (personal scope), which has no threads to start.
   */
  async sendToConversation(stored: ChannelRef, activity: Partial<Activity>): Promise<void> {
    const reference = stored.conversationReference as ConversationReference | undefined;
    if (!reference?.conversation?.id || !(stored.serviceUrl ?? reference.serviceUrl)) {
      throw new Error(`Teams conversation ${stored.channelId} has no stored reference to send to`);
    }
    const { bot, ...rest } = reference as ConversationReference & { bot?: ConversationReference['agent'] };
    await this.within(
      {
        ...rest,
        channelId: TEAMS_CHANNEL_ID,
        serviceUrl: stored.serviceUrl ?? reference.serviceUrl,
        agent: rest.agent ?? bot,
        activityId: undefined,
      },
      async (ctx) => {
        await ctx.sendActivity(asActivity(activity));
      },
    );
  }

  /**
   * A reply in the message's thread; `broadcast` posts it to the channel as a
   * new message instead (Teams has no "also send to channel"), which everyone
   * following the channel sees; `mention` adds Teams mentions (tags, people).
   */
  async replyInThread(ref: ChatMessageRef, text: string, opts: ThreadReplyOptions = {}): Promise<void> {
    const threaded = hasThreads(ref.channelId) && !opts.broadcast;
    const conversationId = threaded ? `${ref.channelId};messageid=${ref.messageId}` : ref.channelId;
    const mentions = teamsMentions(opts.mention);
    // A warning of a consented stop is a card: Cancel (and +1h), its time in each reader's zone;
    // the plain text stays as the summary notifications show.
    const activity = opts.warning
      ? MessageFactory.attachment(CardFactory.adaptiveCard(renderWarningCard(opts.warning)))
      : MessageFactory.text(
          `${mentions.text ? `${mentions.text} ` : ''}${clampMessageText(messageMarkdown(text))}`,
        );
    if (opts.warning) activity.summary = clampMessageText(text);
    if (mentions.entities.length) activity.entities = mentions.entities;
    await this.within(this.reference(conversationId, ref.serviceUrl, ref.tenantId), async (ctx) => {
      await ctx.sendActivity(asActivity(activity));
    });
  }

  /**
   * Finds `user` (a UPN, an email or an Entra object id) among the members of
   * the team installed at `team`, and opens the bot's 1:1 chat with them.
   * Undefined when the team has no such member. The connector answers a
   * member lookup by UPN or object id; an email that differs from the UPN is
   * matched against the team's member list.
   */
  async openPersonalChat(team: ChannelRef, teamId: string, user: string): Promise<ChannelRef | undefined> {
    let opened: ChannelRef | undefined;
    const channelId = baseConversationId(team.channelId);
    const reference = this.reference(channelId, team.serviceUrl, team.tenantId, team.conversationReference);
    await this.within(reference, async (ctx) => {
      const calls = ctx.turnState.get(this.adapter.ConnectorClientKey) as MemberCalls;
      const member = await findMember(calls, teamId, user);
      if (!member) return;
      const tenantId = team.tenantId ?? member.tenantId;
      const created = await calls.createConversation({
        isGroup: false,
        agent: reference.agent,
        members: [{ id: member.id, name: member.name }],
        tenantId,
        channelData: { tenant: { id: tenantId } },
      } as ConversationParameters);
      if (!created.id) throw new Error(`Teams opened no 1:1 chat with ${user}`);
      const serviceUrl = created.serviceUrl ?? reference.serviceUrl;
      opened = {
        platform: 'teams',
        channelId: created.id,
        serviceUrl,
        tenantId,
        conversationReference: {
          ...reference,
          serviceUrl,
          conversation: { id: created.id, isGroup: false, conversationType: 'personal', tenantId },
          user: { id: member.id, name: member.name, aadObjectId: member.aadObjectId },
        },
      };
    });
    return opened;
  }

  /** The person with Entra object id `aadObjectId` as a member of the conversation (their email and UPN). */
  async member(conversation: ChannelRef, aadObjectId: string): Promise<TeamsMember | undefined> {
    let found: TeamsMember | undefined;
    const channelId = baseConversationId(conversation.channelId);
    await this.within(
      this.reference(
        channelId,
        conversation.serviceUrl,
        conversation.tenantId,
        conversation.conversationReference,
      ),
      async (ctx) => {
        const calls = ctx.turnState.get(this.adapter.ConnectorClientKey) as MemberCalls;
        found = await findMember(calls, channelId, aadObjectId);
      },
    );
    return found;
  }

  /**
   * Teams has no message only one person sees in a channel; the note is
   * posted in the channel with an @mention of the person (by Entra object id).
   */
  async notifyPrivately(channel: ChannelRef, userId: string, text: string): Promise<void> {
    const channelId = baseConversationId(channel.channelId);
    await this.within(
      this.reference(channelId, channel.serviceUrl, channel.tenantId, channel.conversationReference),
      async (ctx) => {
        const activity = MessageFactory.text(`<at>you</at>: ${clampMessageText(messageMarkdown(text))}`);
        activity.entities = [
          { type: 'mention', text: '<at>you</at>', mentioned: { id: userId, name: 'you' } },
        ];
        await ctx.sendActivity(asActivity(activity));
      },
    );
  }
}

/** The member named `user` (UPN, email or object id), or undefined; other connector failures throw. */
async function findMember(
  calls: MemberCalls,
  conversationId: string,
  user: string,
): Promise<TeamsMember | undefined> {
  try {
    return await calls.getConversationMember(user, conversationId);
  } catch (err) {
    if (statusOf(err) !== 404) throw err;
  }
  if (!user.includes('@')) return undefined;
  // An email that is not the UPN: the paged member list (GET …/pagedmembers) carries both.
  const wanted = user.toLowerCase();
  let token: string | undefined;
  for (let page = 0; page < MAX_MEMBER_PAGES; page++) {
    const query = `pageSize=500${token ? `&continuationToken=${encodeURIComponent(token)}` : ''}`;
    const res = await calls.httpClient.request({
      method: 'get',
      url: `v3/conversations/${encodeURIComponent(conversationId)}/pagedmembers?${query}`,
    });
    const hit = (res.data?.members ?? []).find(
      (m) => m.email?.toLowerCase() === wanted || m.userPrincipalName?.toLowerCase() === wanted,
    );
    if (hit) return hit;
    token = res.data?.continuationToken;
    if (!token) return undefined;
  }
  return undefined;
}

/** 20 pages of 500: teams up to 10,000 members are searched by email. */
const MAX_MEMBER_PAGES = 20;

/** The connector's HTTP status carried by an SDK error, if any. */
export function statusOf(err: unknown): number | undefined {
  const e = err as { status?: number; statusCode?: number; response?: { status?: number } } | undefined;
  return e?.status ?? e?.statusCode ?? e?.response?.status;
}
