/**
 * `/ec2 …` command parsing, the same for Slack and Teams. Pure: a parse
 * either yields a command or names the exact mistake with the usage that works.
 */

import { DAY, MINUTE, parseDuration } from '../../core/duration.js';
import type { NagRouting } from '../../core/nagRouting.js';
import { quoted } from '../../core/quote.js';
import { GROUP_PATTERN, MAX_GROUP_LENGTH } from '../../core/tagPolicy.js';
import type { CommandExtension } from './commandExtension.js';
import { parseStopAt, type StopAt } from './stopAtFlags.js';
import { parseWhenIdle, type WhenIdle } from './stopWhenIdleFlags.js';
import { parseSubscribeFlags, SUBSCRIBE_FLAGS_HELP } from './subscribeFlags.js';

/** `subscribed`: the groups the channel follows (all groups when it follows none). */
export type ListScope = { kind: 'subscribed' } | { kind: 'all' } | { kind: 'group'; group: string };

export type SnoozeSpec = { kind: 'for'; seconds: number } | { kind: 'until'; hour: number; minute: number };

export type ChatCommand =
  | { kind: 'list'; scope: ListScope; overOnly: boolean; public: boolean }
  | { kind: 'status'; target: string }
  /** `whenIdle`: consent to stop once idle (`--when-idle [--for 30m]`) instead of a stop now. `hibernate`: hibernate, not a plain stop. */
  /** `cancel`: withdraw the run's consented stop (`--cancel`), the command twin of the Cancel button. */
  | {
      kind: 'stop';
      target: string;
      whenIdle?: WhenIdle;
      hibernate?: boolean;
      stopAt?: StopAt;
      cancel?: boolean;
    }
  | { kind: 'snooze'; target: string; spec: SnoozeSpec }
  | { kind: 'extend'; target: string; seconds: number }
  /** `routing`: only the flags given (absent ones keep the stored settings). */
  | { kind: 'subscribe'; group: string; routing: NagRouting }
  | { kind: 'unsubscribe'; group: string }
  | { kind: 'mine' }
  | { kind: 'subscriptions' }
  | { kind: 'help' }
  | { kind: 'extension'; extension: CommandExtension; args: string[] };

export type ParseResult = { ok: true; command: ChatCommand } | { ok: false; error: string; usage: string[] };

export const MAX_SNOOZE_SECONDS = 7 * DAY;
export const MAX_EXTEND_SECONDS = 7 * DAY;

/** One usage line per built-in command; `help` lists them all. */
export const USAGE: Record<Exclude<ChatCommand['kind'], 'extension'>, string> = {
  list: 'list [group|all] [--over] [--public]: instances by runtime; --public posts the answer for the whole channel',
  status: 'status <instance-id|Name>: runtime, threshold, next nag and buttons for one instance',
  stop: 'stop <instance-id|Name> [--hibernate | --at 19:00 | --in 2h | --when-idle [--for 30m] | --cancel]: stops (or hibernates) the instance after you confirm; --at/--in stop it then, and --when-idle once idle for the window, each with a warning and Cancel first; --cancel withdraws such a stop',
  snooze:
    'snooze <instance-id|Name> <duration|until HH:MM>: e.g. `snooze web-1 2h`, `snooze web-1 until 18:00`',
  extend: "extend <instance-id|Name> <duration>: raises this run's threshold, e.g. `extend web-1 4h`",
  subscribe: `subscribe <group> ${SUBSCRIBE_FLAGS_HELP}: this channel receives nags for the MonitorGroup; the options choose owner or channel and when repeats get louder, e.g. \`subscribe web --route owner-then-channel --escalate-after 3\``,
  unsubscribe: 'unsubscribe <group>: this channel stops receiving them',
  subscriptions: 'subscriptions: the groups this channel follows',
  mine: 'mine: the instances whose Owner tag names you, with buttons',
  help: 'help: this list',
};

/**
 * Whether running `cmd` twice does no harm: reads, the stop confirmation and
 * subscription changes (which set a state, so a second run changes nothing).
 * Snooze and Extend act on a run through the request ledger, so a second try
 * of an abandoned first would be refused as a duplicate or, for Extend, add
 * up; they are never started twice.
 */
export function isRepeatable(cmd: ChatCommand): boolean {
  switch (cmd.kind) {
    case 'snooze':
    case 'extend':
      return false;
    case 'stop':
      // Only the plain stop (and --hibernate) is a read: it shows the confirmation. Its other
      // options give or withdraw a consent: run twice, a frozen first run could thaw after a
      // Cancel and give it again, so like Snooze they are handed off before they start.
      return Object.entries(cmd).every(
        ([k, v]) => k === 'kind' || k === 'target' || k === 'hibernate' || v === undefined || v === false,
      );
    case 'extension':
      return cmd.extension.repeatable?.(cmd.args) ?? false;
    default:
      return true;
  }
}

const CLOCK_RE = /^([01]?\d|2[0-3]):([0-5]\d)$/;

const usageOf = (kind: keyof typeof USAGE, prefix: string) => [`${prefix} ${USAGE[kind]}`];

/**
 * Parses the text after the slash command (`list web --over`).
 * `prefix` is how the platform spells the command in usage lines (`/ec2`, `@Lights Out`).
 */
export function parseCommand(
  text: string,
  opts: { prefix?: string; extensions?: CommandExtension[] } = {},
): ParseResult {
  const prefix = opts.prefix ?? '/ec2';
  const words = text.trim().split(/\s+/).filter(Boolean);
  const [first, ...rest] = words;
  const verb = first?.toLowerCase();
  const fail = (error: string, kind: keyof typeof USAGE): ParseResult => ({
    ok: false,
    error,
    usage: usageOf(kind, prefix),
  });
  const ok = (command: ChatCommand): ParseResult => ({ ok: true, command });

  switch (verb) {
    case undefined:
    case 'help':
      return ok({ kind: 'help' });
    case 'list':
      return parseList(rest, prefix);
    case 'stop':
      return parseStop(rest, prefix);
    case 'status': {
      if (rest.length !== 1) {
        return fail(
          rest.length
            ? `\`${verb}\` takes one instance, got ${rest.length} words`
            : `\`${verb}\` needs an instance id or Name`,
          verb,
        );
      }
      return ok({ kind: verb, target: rest[0]! });
    }
    case 'snooze':
      return parseSnooze(rest, prefix);
    case 'extend': {
      if (rest.length !== 2) return fail('`extend` needs an instance and a duration', 'extend');
      const d = parseDuration(rest[1]!, { minSeconds: MINUTE, maxSeconds: MAX_EXTEND_SECONDS });
      if (!d.ok) return fail(`duration ${quoted(rest[1]!)} ${d.reason}`, 'extend');
      return ok({ kind: 'extend', target: rest[0]!, seconds: d.seconds });
    }
    case 'subscribe':
    case 'unsubscribe': {
      if (rest.length === 0 || rest[0]!.startsWith('--'))
        return fail(`\`${verb}\` needs a group name first`, verb);
      if (verb === 'unsubscribe' && rest.length !== 1)
        return fail('`unsubscribe` needs exactly one group name', verb);
      const group = rest[0]!;
      if (!GROUP_PATTERN.test(group)) {
        return fail(
          `group ${quoted(group)} must be lower-case letters and digits only, at most ${MAX_GROUP_LENGTH} (as in the MonitorGroup tag)`,
          verb,
        );
      }
      if (verb === 'unsubscribe') return ok({ kind: verb, group });
      const flags = parseSubscribeFlags(rest.slice(1));
      if (!flags.ok) return fail(flags.error, verb);
      return ok({ kind: verb, group, routing: flags.routing });
    }
    case 'mine':
      if (rest.length) return fail('`mine` takes no arguments', 'mine');
      return ok({ kind: 'mine' });
    case 'subscriptions':
      if (rest.length) return fail('`subscriptions` takes no arguments', 'subscriptions');
      return ok({ kind: 'subscriptions' });
    default: {
      const ext = opts.extensions?.find((e) => e.word === verb);
      if (ext) return ok({ kind: 'extension', extension: ext, args: rest });
      const known = [...Object.keys(USAGE), ...(opts.extensions ?? []).map((e) => e.word)];
      return {
        ok: false,
        error: `unknown command ${quoted(first ?? '')}; known commands: ${known.join(', ')}`,
        usage: [
          ...Object.values(USAGE).map((u) => `${prefix} ${u}`),
          ...(opts.extensions ?? []).flatMap((e) => e.help.map((h) => `${prefix} ${h}`)),
        ],
      };
    }
  }
}

function parseStop(args: string[], prefix: string): ParseResult {
  const fail = (error: string): ParseResult => ({ ok: false, error, usage: usageOf('stop', prefix) });
  const isHibernate = (a: string) => a.toLowerCase() === '--hibernate';
  const known = /^--(hibernate|when-idle|for|at|in|cancel)(=.*)?$/i;
  const unknown = args.find((a) => a.startsWith('--') && !known.test(a));
  if (unknown)
    return fail(
      `unknown option ${quoted(unknown)} (use --hibernate, --at 19:00, --in 2h, --when-idle [--for 30m] or --cancel)`,
    );
  const isCancel = (a: string) => a.toLowerCase() === '--cancel';
  if (args.some(isCancel)) {
    const rest = args.filter((a) => !isCancel(a));
    if (rest.length !== 1 || rest[0]!.startsWith('--'))
      return fail('`stop <instance> --cancel` takes the instance and nothing else');
    return { ok: true, command: { kind: 'stop', target: rest[0]!, cancel: true } };
  }
  const at = parseStopAt(args);
  if (!at.ok) return fail(at.error);
  const hibernate = at.rest.some(isHibernate);
  const rest = at.rest.filter((a) => !isHibernate(a));
  if (rest.length === 0 || rest[0]!.startsWith('--')) return fail('`stop` needs an instance id or Name');
  const idle = parseWhenIdle(rest.slice(1));
  if (!idle.ok) return fail(idle.error);
  if (hibernate && idle.whenIdle) {
    return fail('--hibernate and --when-idle do not go together: a stop when idle is a plain stop');
  }
  if (at.stopAt && (idle.whenIdle || hibernate)) {
    return fail('--at/--in is a plain stop at a time; it does not go with --when-idle or --hibernate');
  }
  return {
    ok: true,
    command: {
      kind: 'stop',
      target: rest[0]!,
      ...(at.stopAt ? { stopAt: at.stopAt } : {}),
      ...(idle.whenIdle ? { whenIdle: idle.whenIdle } : {}),
      ...(hibernate ? { hibernate: true } : {}),
    },
  };
}

function parseList(args: string[], prefix: string): ParseResult {
  let scope: ListScope = { kind: 'subscribed' };
  let overOnly = false;
  let isPublic = false;
  for (const arg of args) {
    const a = arg.toLowerCase();
    if (a === '--over') overOnly = true;
    else if (a === '--public') isPublic = true;
    else if (a.startsWith('-'))
      return {
        ok: false,
        error: `unknown option ${quoted(arg)} (use --over or --public)`,
        usage: usageOf('list', prefix),
      };
    else if (scope.kind !== 'subscribed')
      return {
        ok: false,
        error: `\`list\` takes one group, got ${quoted(scope.kind === 'group' ? scope.group : 'all')} and ${quoted(arg)}`,
        usage: usageOf('list', prefix),
      };
    else if (a === 'all') scope = { kind: 'all' };
    else if (GROUP_PATTERN.test(a)) scope = { kind: 'group', group: a };
    else
      return {
        ok: false,
        error: `group ${quoted(arg)} must be lower-case letters and digits only (at most ${MAX_GROUP_LENGTH}), or \`all\``,
        usage: usageOf('list', prefix),
      };
  }
  return { ok: true, command: { kind: 'list', scope, overOnly, public: isPublic } };
}

function parseSnooze(args: string[], prefix: string): ParseResult {
  const fail = (error: string): ParseResult => ({ ok: false, error, usage: usageOf('snooze', prefix) });
  const [target, ...spec] = args;
  if (!target) return fail('`snooze` needs an instance and a duration or `until HH:MM`');
  if (spec.length === 0) return fail(`\`snooze ${target}\` needs a duration (e.g. 2h) or \`until HH:MM\``);
  if (spec[0]!.toLowerCase() === 'until') {
    const clock = spec.slice(1).join('');
    const m = CLOCK_RE.exec(clock);
    if (spec.length !== 2 || !m)
      return fail(`"until ${spec.slice(1).join(' ')}" is not a time; use 24-hour HH:MM such as 18:00`);
    return {
      ok: true,
      command: { kind: 'snooze', target, spec: { kind: 'until', hour: Number(m[1]), minute: Number(m[2]) } },
    };
  }
  if (spec.length !== 1)
    return fail(`expected one duration after the instance, got ${quoted(spec.join(' '))}`);
  const d = parseDuration(spec[0]!, { minSeconds: MINUTE, maxSeconds: MAX_SNOOZE_SECONDS });
  if (!d.ok) return fail(`duration ${quoted(spec[0]!)} ${d.reason}`);
  return { ok: true, command: { kind: 'snooze', target, spec: { kind: 'for', seconds: d.seconds } } };
}
