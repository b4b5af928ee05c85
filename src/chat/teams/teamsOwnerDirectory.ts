/**
 * Finds an instance owner's Teams 1:1 chat: the owner (a UPN or email, or an
 * Entra object id) is looked up among the members of each team the app is
 * installed in (the connector's conversation members API), and the bot opens
 * a proactive 1:1 conversation with the first match. Failures are answers:
 * the chat core shows them as a warning on the instance and nags the channel.
 */
import type { Owner } from '../../core/owner.js';
import type { ChatInstallationStore } from '../../ports/chatInstallationStore.js';
import type { OwnerDirectory, OwnerLookup } from '../../ports/ownerDirectory.js';
import { classifyChatFailure } from '../core/deliveryErrors.js';
import type { TeamsGateway } from './teamsGateway.js';

export class TeamsOwnerDirectory implements OwnerDirectory {
  readonly platform = 'teams' as const;

  constructor(
    private readonly gateway: Pick<TeamsGateway, 'openPersonalChat'>,
    private readonly installations: Pick<ChatInstallationStore, 'all'>,
  ) {}

  async directChannel(owner: Owner): Promise<OwnerLookup> {
    if (owner.kind === 'slack-user') return { kind: 'elsewhere' };
    const label = JSON.stringify(owner.value);
    // Teams (not group chats) are where members can be looked up: their ids are channel-style.
    const teams = (await this.installations.all('teams')).filter((i) => /@thread\.(tacv2|skype)$/.test(i.id));
    if (teams.length === 0) {
      return {
        kind: 'failed',
        reason: `Owner ${label} could not be looked up in Teams: the app is installed in no team`,
        lasting: true,
      };
    }
    let passing: string | undefined;
    for (const team of teams) {
      try {
        const channel = await this.gateway.openPersonalChat(team.channel, team.id, owner.value);
        if (channel) return { kind: 'found', channel };
      } catch (err) {
        // One team refusing (the app removed meanwhile) must not hide the owner in another.
        const failure = classifyChatFailure(err);
        if (failure.kind !== 'permanent') passing = failure.reason;
      }
    }
    if (passing) {
      return {
        kind: 'failed',
        reason: `Owner ${label} could not be looked up in Teams (${passing})`,
        lasting: false,
      };
    }
    return {
      kind: 'failed',
      reason: `Owner ${label} was not found in Teams (no member of the ${teams.length === 1 ? 'team' : `${teams.length} teams`} the app is in)`,
      lasting: true,
    };
  }
}
