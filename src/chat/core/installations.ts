/**
 * What follows from the bot being added to or removed from a team, group
 * chat or personal chat, whatever the platform: the installation is
 * remembered, and when the bot leaves, the subscriptions of every channel it
 * can no longer post to are flagged broken with the reason: they show in
 * `/ec2 subscriptions` and `lightsout subscriptions --broken`, a nag for
 * them is marked undelivered with why, the fallback channel hears of it
 * once, and the flag clears by itself once the bot is back and a post gets
 * through. (Dropping them silently left a team without nags and nobody told.)
 */
import type { ChatInstallation, ChatInstallationStore } from '../../ports/chatInstallationStore.js';
import type { ChannelRef, SubscriptionStore } from '../../ports/subscriptionStore.js';

export interface InstallationDeps {
  installations: ChatInstallationStore;
  subscriptions: SubscriptionStore;
}

/** Stores (or refreshes) an installation; says whether it is new, so the caller greets only once. */
export async function rememberInstallation(
  deps: Pick<InstallationDeps, 'installations'>,
  installation: Omit<ChatInstallation, 'installedAt'>,
  now: Date,
): Promise<{ isNew: boolean }> {
  const known = await deps.installations.get(installation.platform, installation.id);
  await deps.installations.save({ ...installation, installedAt: known?.installedAt ?? now.toISOString() });
  return { isNew: !known };
}

/** The reason a subscription is flagged broken when the bot left its team or chat. */
export const removedReason = (fromTeam: boolean) =>
  `Lights Out was removed from the ${fromTeam ? 'team' : 'chat'}`;

/**
 * Forgets an installation and flags the channels it covered as broken: every
 * channel of the team when the bot left a team (`teamId`), else the one
 * conversation it left. A store without flags unsubscribes them instead.
 * Returns how many subscriptions were flagged (or dropped).
 */
export async function forgetInstallation(
  deps: InstallationDeps,
  left: { platform: ChannelRef['platform']; id: string; teamId?: string; channelId: string },
  now: Date,
): Promise<{ flaggedSubscriptions: number }> {
  await deps.installations.remove(left.platform, left.id);
  const covered = (await deps.subscriptions.all()).filter(
    (s) =>
      s.channel.platform === left.platform &&
      (left.teamId ? s.channel.teamId === left.teamId : s.channel.channelId === left.channelId),
  );
  const broken = { reason: removedReason(!!left.teamId), since: now.toISOString() };
  const channels = new Map(covered.map((s) => [s.channel.channelId, s.channel]));
  for (const channel of channels.values()) {
    if (deps.subscriptions.markBroken) await deps.subscriptions.markBroken(channel, broken);
  }
  if (!deps.subscriptions.markBroken) {
    for (const s of covered) await deps.subscriptions.unsubscribe(s.group, s.channel);
  }
  return { flaggedSubscriptions: covered.length };
}
