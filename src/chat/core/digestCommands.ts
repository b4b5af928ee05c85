/**
 * `/ec2 digest [weekly [--tz <zone>] | off | now]` (Teams: `digest …`) as a
 * chat command extension: the channel's weekly digest on or off, its time
 * zone, or the digest of the last 7 days posted now. Bare `digest` says how
 * the channel is set.
 */
import type { Digest } from '../../core/digest.js';
import type { DigestDefaults } from '../../core/digestSchedule.js';
import { DIGEST_TIME } from '../../core/digestSchedule.js';
import { quoted } from '../../core/quote.js';
import { isValidTimeZone } from '../../core/when.js';
import type { Clock } from '../../ports/clock.js';
import type { DigestSettingsStore } from '../../ports/digestSettings.js';
import type { ChannelRef, SubscriptionStore } from '../../ports/subscriptionStore.js';
import type { CommandContext } from './commandContext.js';
import type { CommandExtension } from './commandExtension.js';
import { type ChatReply, textReply } from './replies.js';

export interface DigestCommandDeps {
  /**
   * Posts the digest of the last 7 days to the channel: the single process
   * does it at once (and returns it); on Lambda the digest function is asked
   * to, and this returns undefined.
   */
  digests: { sendNow(channel: ChannelRef): Promise<Pick<Digest, 'overThreshold' | 'stops'> | undefined> };
  settings: DigestSettingsStore;
  subscriptions: Pick<SubscriptionStore, 'forChannel'>;
  defaults: DigestDefaults;
  clock: Clock;
}

const USAGE = 'digest weekly [--tz <zone, e.g. Europe/Berlin>] | off | now';

type Parsed = { verb: 'status' } | { verb: 'weekly'; timeZone?: string } | { verb: 'off' } | { verb: 'now' };

function parse(args: string[]): Parsed | string {
  const words = args.map((a) => a.trim()).filter(Boolean);
  const [verb, ...rest] = words;
  if (verb === undefined) return { verb: 'status' };
  switch (verb.toLowerCase()) {
    case 'off':
    case 'now':
      return rest.length
        ? `${verb.toLowerCase()} takes nothing after it; got ${quoted(rest.join(' '))}`
        : { verb: verb.toLowerCase() as 'off' | 'now' };
    case 'weekly': {
      if (rest.length === 0) return { verb: 'weekly' };
      if (rest[0] !== '--tz' || rest.length !== 2)
        return `weekly takes only --tz <zone>; got ${quoted(rest.join(' '))}`;
      const timeZone = rest[1]!;
      if (!isValidTimeZone(timeZone))
        return `${quoted(timeZone)} is not an IANA time zone; try Europe/Berlin, America/New_York or UTC`;
      return { verb: 'weekly', timeZone };
    }
    default:
      return `unknown digest setting ${quoted(verb)}`;
  }
}

export function digestCommands(deps: DigestCommandDeps): CommandExtension {
  const when = (timeZone: string) => `Mondays at ${DIGEST_TIME} ${timeZone}`;

  async function run(args: string[], ctx: CommandContext): Promise<ChatReply> {
    const prefix = ctx.prefix ?? '/ec2';
    const parsed = parse(args);
    if (typeof parsed === 'string') {
      return { kind: 'error', visibility: 'private', error: parsed, usage: [`${prefix} ${USAGE}`] };
    }
    const groups = (await deps.subscriptions.forChannel(ctx.channel)).map((s) => s.group);
    const follows = groups.length
      ? `groups ${groups.join(', ')}`
      : `no group yet (${prefix} subscribe <group> adds one)`;
    const by = `${ctx.actor.platform}:${ctx.actor.id}`;
    const at = deps.clock().toISOString();
    const current = await deps.settings.get(ctx.channel);
    const timeZone = (p?: string) => p ?? current?.timeZone ?? deps.defaults.timeZone;

    switch (parsed.verb) {
      case 'status': {
        const cadence = current?.cadence ?? deps.defaults.cadence;
        return textReply([
          cadence === 'weekly'
            ? `This channel gets the weekly digest on ${when(timeZone())}, for ${follows}.`
            : `This channel gets no weekly digest (${prefix} digest weekly turns it on).`,
          `${prefix} ${USAGE}`,
        ]);
      }
      case 'weekly': {
        const saved = await deps.settings.set({
          channel: ctx.channel,
          cadence: 'weekly',
          timeZone: parsed.timeZone,
          updatedBy: by,
          updatedAt: at,
        });
        return textReply(
          [
            `This channel gets the weekly digest on ${when(saved.timeZone ?? deps.defaults.timeZone)}, for ${follows}.`,
          ],
          undefined,
          'channel',
        );
      }
      case 'off':
        await deps.settings.set({ channel: ctx.channel, cadence: 'off', updatedBy: by, updatedAt: at });
        return textReply(
          [
            `No more weekly digest in this channel. ${prefix} digest weekly turns it back on; ${prefix} digest now posts one any time.`,
          ],
          undefined,
          'channel',
        );
      case 'now': {
        if (!groups.length) {
          return {
            kind: 'refused',
            visibility: 'private',
            reason: `This channel follows ${follows}, so there is nothing to digest.`,
          };
        }
        const digest = await deps.digests.sendNow(ctx.channel);
        return textReply([
          digest
            ? `Posted the digest of the last 7 days for ${follows}: ${digest.overThreshold.length} beyond threshold, ${digest.stops.length} stopped through Lights Out.`
            : `The digest of the last 7 days for ${follows} is on its way to this channel.`,
        ]);
      }
    }
  }

  return {
    word: 'digest',
    help: [
      `digest weekly [--tz <zone>]: the weekly digest of cost beyond threshold here, ${when('UTC')} unless a zone is given`,
      'digest off: no weekly digest in this channel',
      'digest now: post the digest of the last 7 days now',
    ],
    usage: USAGE,
    run,
    // Settings are idempotent; `now` posts, so it must not run twice.
    repeatable: (args) => args[0]?.toLowerCase() !== 'now',
  };
}
