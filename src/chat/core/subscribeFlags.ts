/**
 * The routing flags of `subscribe <group>`: `--route channel|owner|owner-then-channel`,
 * `--escalate-after N`, `--escalate-to <who>[,<who>…]` and `--broadcast-every N`,
 * and the group's standing consent `--autostop idle:<duration>|off`.
 * Pure: a parse yields the settings or names the exact mistake and what works.
 * Who can be mentioned depends on the platform (`escalationTargetsFor`).
 */
import { parseGroupAutoStop } from '../../core/groupAutoStop.js';
import type { ChatPlatform } from '../../core/instance.js';
import {
  type EscalationTarget,
  MAX_BROADCAST_EVERY,
  MAX_ESCALATE_AFTER,
  NAG_ROUTES,
  type NagRoute,
  type NagRouting,
} from '../../core/nagRouting.js';
import { quoted } from '../../core/quote.js';

export const SUBSCRIBE_FLAGS_HELP =
  '[--route channel|owner|owner-then-channel] [--escalate-after N] [--escalate-to @here|<user group>|<users>|none] [--broadcast-every N] [--autostop idle:<duration>|off]';

export type FlagsResult = { ok: true; routing: NagRouting } | { ok: false; error: string };

const FLAGS = ['--route', '--escalate-after', '--escalate-to', '--broadcast-every', '--autostop'] as const;
type Flag = (typeof FLAGS)[number];

/** Parses the words after the group; `--flag=value` and `--flag value` both work. */
export function parseSubscribeFlags(words: string[]): FlagsResult {
  const routing: NagRouting = {};
  const seen = new Set<Flag>();
  for (let i = 0; i < words.length; i++) {
    const word = words[i]!;
    const [name, inline] = word.includes('=')
      ? [word.slice(0, word.indexOf('=')), word.slice(word.indexOf('=') + 1)]
      : [word, undefined];
    const flag = name.toLowerCase() as Flag;
    if (!FLAGS.includes(flag)) {
      return {
        ok: false,
        error: word.startsWith('-')
          ? `unknown option ${quoted(word)}; the options are ${FLAGS.join(', ')}`
          : `\`subscribe\` takes one group, then options; got ${quoted(word)} as well`,
      };
    }
    if (seen.has(flag)) return { ok: false, error: `${flag} is given twice` };
    seen.add(flag);
    let value = inline;
    if (value === undefined) {
      // `--escalate-to` may list several targets separated by spaces or commas, up to the next option.
      const end = flag === '--escalate-to' ? nextFlag(words, i + 1) : Math.min(i + 2, words.length);
      value = words.slice(i + 1, end).join(',');
      i = end - 1;
    }
    if (!value) return { ok: false, error: `${flag} needs a value` };
    const problem = apply(flag, value, routing);
    if (problem) return { ok: false, error: problem };
  }
  return { ok: true, routing };
}

function nextFlag(words: string[], from: number): number {
  const i = words.slice(from).findIndex((w) => w.startsWith('--'));
  return i < 0 ? words.length : from + i;
}

function apply(flag: Flag, value: string, routing: NagRouting): string | undefined {
  switch (flag) {
    case '--route': {
      const route = value.toLowerCase() as NagRoute;
      if (!NAG_ROUTES.includes(route))
        return `--route ${quoted(value)} is not a route; use ${NAG_ROUTES.join(', ')}`;
      routing.route = route;
      return undefined;
    }
    case '--escalate-after':
    case '--broadcast-every': {
      const max = flag === '--escalate-after' ? MAX_ESCALATE_AFTER : MAX_BROADCAST_EVERY;
      const min = flag === '--escalate-after' ? 1 : 0;
      if (!/^\d{1,3}$/.test(value) || Number(value) < min || Number(value) > max) {
        return `${flag} ${quoted(value)} must be a whole number from ${min} to ${max}${flag === '--broadcast-every' ? ' (0 turns it off)' : ' (the nag number, 1 = the first)'}`;
      }
      if (flag === '--escalate-after') routing.escalateAfter = Number(value);
      else routing.broadcastEvery = Number(value);
      return undefined;
    }
    case '--autostop': {
      // The group's standing consent to stop its runs once idle; see core/groupAutoStop.ts.
      const parsed = parseGroupAutoStop(value);
      if (!parsed.ok) return parsed.reason;
      routing.autostop = parsed.autostop;
      return undefined;
    }
    case '--escalate-to': {
      const parsed = parseTargets(value);
      if (typeof parsed === 'string') return parsed;
      routing.escalateTo = parsed;
      return undefined;
    }
  }
}

const GUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/**
 * `@here`, Slack user groups (`S…`, or `<!subteam^S…|@ops>` as Slack escapes
 * them), Slack users (`U…`, `<@U…|alice>`), Teams tags (`tag:<id>`) and Teams
 * users (Entra object ids); `none` clears the list.
 */
export function parseTargets(value: string): EscalationTarget[] | string {
  const items = value.split(/[\s,]+/).filter(Boolean);
  if (items.length === 1 && items[0]!.toLowerCase() === 'none') return [];
  const out: EscalationTarget[] = [];
  for (const item of items) {
    const target = parseTarget(item);
    if (!target)
      return `--escalate-to ${quoted(item)} is not someone to mention; use @here, a user group (S…), users (U…), in Teams tag:<id> or an Entra object id, or none`;
    if (
      !out.some(
        (t) => t.kind === target.kind && ('id' in t ? t.id : '') === ('id' in target ? target.id : ''),
      )
    )
      out.push(target);
  }
  if (out.length > 10) return '--escalate-to takes at most 10 targets';
  return out;
}

function parseTarget(item: string): EscalationTarget | undefined {
  const lower = item.toLowerCase();
  if (lower === '@here' || lower === 'here' || lower === '<!here>' || lower === '<!here|here>')
    return { kind: 'here' };
  let m = /^<!subteam\^(S[A-Z0-9]{2,20})(?:\|@?([^>]{1,80}))?>$/.exec(item);
  if (m) return { kind: 'user-group', id: m[1]!, ...(m[2] ? { name: m[2] } : {}) };
  m = /^<@([UW][A-Z0-9]{2,20})(?:\|([^>]{1,80}))?>$/.exec(item);
  if (m) return { kind: 'user', id: m[1]!, ...(m[2] ? { name: m[2] } : {}) };
  if (/^S[A-Z0-9]{6,20}$/.test(item)) return { kind: 'user-group', id: item };
  if (/^[UW][A-Z0-9]{6,20}$/.test(item)) return { kind: 'user', id: item };
  if (GUID.test(item)) return { kind: 'user', id: lower };
  // Teams: `tag:<id>`, and mentions typed in the command, which arrive as `tag:<id>|<name>` / `user:<id>|<name>`.
  m = /^tag:([A-Za-z0-9+/=_:-]{1,200})(?:\|(.{1,240}))?$/.exec(item);
  if (m) return { kind: 'tag', id: m[1]!, ...named(m[2]) };
  m = /^user:((?:29|8):[A-Za-z0-9._:-]{1,200}|[0-9a-f-]{36})(?:\|(.{1,240}))?$/i.exec(item);
  if (m) return { kind: 'user', id: m[1]!, ...named(m[2]) };
  return undefined;
}

/** A mention's name as typed (URI-encoded in the token); none when it cannot be read. */
function named(encoded: string | undefined): { name?: string } {
  if (!encoded) return {};
  try {
    return { name: decodeURIComponent(encoded).slice(0, 80) };
  } catch {
    return {};
  }
}

/** A Teams person: an Entra object id, or the Teams user id a mention carries (`29:…`). */
const TEAMS_USER = /^(?:29|8):|^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** Whether `platform` can mention these; the reason names what it cannot. */
export function escalationTargetsFor(
  platform: ChatPlatform,
  targets: readonly EscalationTarget[],
): string | undefined {
  const bad = targets.filter((t) =>
    platform === 'slack'
      ? t.kind === 'tag' || (t.kind === 'user' && TEAMS_USER.test(t.id))
      : t.kind === 'here' || t.kind === 'user-group' || (t.kind === 'user' && !TEAMS_USER.test(t.id)),
  );
  if (!bad.length) return undefined;
  return platform === 'slack'
    ? 'Slack can mention @here, user groups (S…) and users (U…); Teams tags and Entra ids do not work here'
    : 'Teams can mention tags (tag:<id>) and people (Entra object ids); @here, Slack user groups and Slack users do not work here';
}
