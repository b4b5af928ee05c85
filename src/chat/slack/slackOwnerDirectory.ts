/**
 * Finds an instance owner's Slack DM: `users.lookupByEmail` for an email
 * (needs the `users:read.email` scope), then `conversations.open` (needs
 * `im:write`). A Slack user id in the tag skips the lookup. Failures are
 * answers, not errors: the chat core turns them into a warning on the
 * instance and nags the channel instead.
 */
import type { WebClient } from '@slack/web-api';
import type { Owner } from '../../core/owner.js';
import type { OwnerDirectory, OwnerLookup } from '../../ports/ownerDirectory.js';
import { classifyChatFailure } from '../core/deliveryErrors.js';

/** Slack's answers that another lookup soon would repeat. */
const LASTING = new Set([
  'users_not_found',
  'user_not_found',
  'user_disabled',
  'cannot_dm_bot',
  'missing_scope',
  'not_allowed_token_type',
  'invalid_auth',
  'account_inactive',
  'token_revoked',
]);

const slackError = (err: unknown): string | undefined =>
  (err as { data?: { error?: string } } | undefined)?.data?.error;

export class SlackOwnerDirectory implements OwnerDirectory {
  readonly platform = 'slack' as const;

  constructor(private readonly client: WebClient) {}

  async directChannel(owner: Owner): Promise<OwnerLookup> {
    if (owner.kind === 'teams-user') return { kind: 'elsewhere' };
    let userId = owner.value;
    if (owner.kind === 'email') {
      try {
        const res = await this.client.users.lookupByEmail({ email: owner.value });
        if (!res.user?.id) return failed(owner, 'users_not_found');
        if (res.user.deleted) return failed(owner, 'user_disabled');
        userId = res.user.id;
      } catch (err) {
        return failed(owner, slackError(err) ?? classifyChatFailure(err).reason, err);
      }
    }
    try {
      const res = await this.client.conversations.open({ users: userId });
      const channelId = res.channel?.id;
      if (!channelId) return failed(owner, 'no DM channel returned');
      return { kind: 'found', channel: { platform: 'slack', channelId } };
    } catch (err) {
      return failed(owner, slackError(err) ?? classifyChatFailure(err).reason, err);
    }
  }
}

function failed(owner: Owner, code: string, err?: unknown): OwnerLookup {
  const lasting = LASTING.has(code) || (err !== undefined && classifyChatFailure(err).kind === 'permanent');
  const what =
    code === 'users_not_found' || code === 'user_not_found'
      ? 'was not found in Slack'
      : code === 'missing_scope'
        ? 'could not be looked up: the Slack app lacks the users:read.email or im:write scope'
        : `could not be reached in Slack (${code})`;
  return { kind: 'failed', reason: `Owner ${JSON.stringify(owner.value)} ${what}`, lasting };
}
