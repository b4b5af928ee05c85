/**
 * What follows from the bot being added to or removed from a team, group
 * chat or personal chat, whatever the platform: the installation is
 * remembered, and when the bot leaves, the subscriptions of every channel it
 * can no longer post to go with it, so nags fall back to the fallback channel
 * instead of failing to post forever.
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

/**
 * Forgets an installation and unsubscribes the channels it covered: every
 * channel of the team when the bot left a team (`teamId`), else the one
 * conversation it left. Returns how many subscriptions were dropped.
 */
export async function forgetInstallation(
  deps: InstallationDeps,
  left: { platform: ChannelRef['platform']; id: string; teamId?: string; channelId: string },
): Promise<{ droppedSubscriptions: number }> {
  await deps.installations.remove(left.platform, left.id);
  const covered = (await deps.subscriptions.all()).filter(
    (s) =>
      s.channel.platform === left.platform &&
      (left.teamId ? s.channel.teamId === left.teamId : s.channel.channelId === left.channelId),
  );
  for (const s of covered) await deps.subscriptions.unsubscribe(s.group, s.channel);
  return { droppedSubscriptions: covered.length };
}
