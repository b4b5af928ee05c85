import { describe, expect, it } from 'vitest';
import type { CommandExtension } from '../../../src/chat/core/commandExtension.js';
import { isRepeatable, parseCommand } from '../../../src/chat/core/commands.js';
import { textReply } from '../../../src/chat/core/replies.js';
import { workloadCommands } from '../../../src/chat/core/workloadCommands.js';

describe('parseCommand', () => {
  it('parses list with scope and flags', () => {
    expect(parseCommand('list web --over --public')).toEqual({
      ok: true,
      command: { kind: 'list', scope: { kind: 'group', group: 'web' }, overOnly: true, public: true },
    });
    expect(parseCommand('list')).toMatchObject({
      ok: true,
      command: { scope: { kind: 'subscribed' }, public: false },
    });
    expect(parseCommand('LIST all')).toMatchObject({ ok: true, command: { scope: { kind: 'all' } } });
  });

  it('parses snooze durations and clock times', () => {
    expect(parseCommand('snooze web-1 90m')).toMatchObject({
      ok: true,
      command: { kind: 'snooze', target: 'web-1', spec: { kind: 'for', seconds: 5400 } },
    });
    expect(parseCommand('snooze web-1 until 18:30')).toMatchObject({
      ok: true,
      command: { spec: { kind: 'until', hour: 18, minute: 30 } },
    });
  });

  it('parses extend, status, stop and subscriptions', () => {
    expect(parseCommand('extend i-0123456789abcdef0 4h')).toMatchObject({
      ok: true,
      command: { kind: 'extend', seconds: 14_400 },
    });
    expect(parseCommand('status web-1')).toMatchObject({
      ok: true,
      command: { kind: 'status', target: 'web-1' },
    });
    expect(parseCommand('stop web-1')).toMatchObject({ ok: true, command: { kind: 'stop' } });
    expect(parseCommand('subscribe web')).toMatchObject({
      ok: true,
      command: { kind: 'subscribe', group: 'web' },
    });
    expect(parseCommand('')).toEqual({ ok: true, command: { kind: 'help' } });
  });

  it.each([
    ['frobnicate', 'unknown command "frobnicate"'],
    ['snooze web-1', 'needs a duration'],
    ['snooze web-1 until 25:00', '"until 25:00" is not a time'],
    ['snooze web-1 soon', 'duration "soon" is not a duration'],
    ['extend web-1', '`extend` needs an instance and a duration'],
    ['extend web-1 30d', 'is longer than the maximum of 7d'],
    ['subscribe Web-Team', 'must be lower-case letters and digits only'],
    ['list web db', '`list` takes one group'],
    ['list --loud', 'unknown option "--loud"'],
    ['stop', '`stop` needs an instance id or Name'],
  ])('names the mistake in "%s" and shows usage', (text, error) => {
    const result = parseCommand(text);
    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(result.error).toContain(error);
    expect(result.usage[0]).toMatch(/^\/ec2 /);
  });

  it("reads a group's standing idle consent: subscribe <group> --autostop idle:30m, or off", () => {
    expect(parseCommand('subscribe web --autostop idle:30m')).toMatchObject({
      ok: true,
      command: { kind: 'subscribe', group: 'web', routing: { autostop: { kind: 'idle', forSeconds: 1800 } } },
    });
    expect(parseCommand('subscribe web --autostop=off')).toMatchObject({
      ok: true,
      command: { routing: { autostop: { kind: 'off' } } },
    });
    const bad = parseCommand('subscribe web --autostop idle:2m');
    const wrong = parseCommand('subscribe web --autostop at:19:00');
    expect(bad.ok ? '' : bad.error).toBe('--autostop idle window "2m" is shorter than the minimum of 5m');
    expect(wrong.ok ? '' : wrong.error).toBe(
      '--autostop "at:19:00": use idle:<duration> (e.g. idle:30m) or off',
    );
  });

  it('hands extension words and their arguments to the extension', () => {
    const ext: CommandExtension = {
      word: 'workload',
      help: ['workload list'],
      usage: 'workload list',
      run: async () => textReply(['ok']),
    };
    const result = parseCommand('workload start Web-Stack', { extensions: [ext] });
    expect(result).toMatchObject({ ok: true, command: { kind: 'extension', args: ['start', 'Web-Stack'] } });
    const unknown = parseCommand('nope', { extensions: [ext] });
    expect(unknown.ok === false && unknown.error).toContain('workload');
  });

  it('quotes at most about 100 characters of bad input, however long the command', () => {
    const huge = 'x'.repeat(3_900_000);
    const cases = [
      huge,
      `list ${huge}`,
      `list web ${huge}`,
      `subscribe ${huge}`,
      `subscribe ${'a'.repeat(65)}`,
      `snooze web-1 ${huge}`,
      `extend web-1 ${huge}`,
      `list --${huge}`,
    ];

    for (const text of cases) {
      const parsed = parseCommand(text);
      expect(parsed.ok, text.slice(0, 20)).toBe(false);
      if (parsed.ok) continue;
      expect(parsed.error.length, text.slice(0, 20)).toBeLessThan(400);
      expect(parsed.error).toMatch(/"[^"]{1,101}"/);
    }
  });
});

describe('isRepeatable', () => {
  const workload = workloadCommands({
    service: {} as never,
    admins: [],
    posters: [],
    clock: () => new Date(0),
  });
  const repeatable = (text: string) => {
    const parsed = parseCommand(text, { extensions: [workload] });
    if (!parsed.ok) throw new Error(parsed.error);
    return isRepeatable(parsed.command);
  };

  it('lets reads, questions and subscription changes run again after an abandoned try', () => {
    for (const text of [
      'list all',
      'status web-1',
      'stop web-1',
      'stop web-1 --hibernate',
      'subscriptions',
      'subscribe web',
      'unsubscribe web',
      'help',
      'workload show shop',
      'workload stop shop',
      'workload start shop --dry-run',
    ]) {
      expect([text, repeatable(text)]).toEqual([text, true]);
    }
  });

  it('never runs Snooze, Extend, a consent (stop later, when idle) or a confirmed workload run twice', () => {
    for (const text of [
      'snooze web-1 2h',
      'extend web-1 4h',
      'stop web-1 --at 19:00',
      'stop web-1 --in 2h',
      'stop web-1 --when-idle',
      'stop web-1 --when-idle --for 45m',
      'workload stop shop --confirm ABC123',
    ]) {
      expect([text, repeatable(text)]).toEqual([text, false]);
    }
  });
});
