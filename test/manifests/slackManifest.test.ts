import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { SLASH_COMMAND } from '../../src/chat/slack/listeners.js';
import { SLACK_EVENTS_PATH } from '../../src/local/slack.js';

type Manifest = {
  features: { app_home: { home_tab_enabled: boolean }; slash_commands: { command: string; url?: string }[] };
  oauth_config: { scopes: { bot: string[] } };
  settings: {
    event_subscriptions: { request_url?: string; bot_events: string[] };
    interactivity: { is_enabled: boolean; request_url?: string };
    socket_mode_enabled: boolean;
  };
};

const load = (file: string) => parse(readFileSync(`manifests/slack/${file}`, 'utf8')) as Manifest;

describe('Slack app manifests', () => {
  it.each([
    ['manifest.yml', false],
    ['manifest.socket-mode.yml', true],
  ])('%s declares /ec2, interactivity, App Home and the scopes the bot uses', (file, socket) => {
    const m = load(file);

    expect(m.features.slash_commands.map((c) => c.command)).toEqual([SLASH_COMMAND]);
    expect(m.features.app_home.home_tab_enabled).toBe(true);
    expect(m.settings.event_subscriptions.bot_events).toContain('app_home_opened');
    expect(m.settings.interactivity.is_enabled).toBe(true);
    expect(m.settings.socket_mode_enabled).toBe(socket);
    // chat.*, users.info, usergroups.list, users.conversations, users.lookupByEmail, conversations.open
    // and the digest chart's files.getUploadURLExternal / files.completeUploadExternal need these.
    expect(m.oauth_config.scopes.bot).toEqual(
      expect.arrayContaining([
        'commands',
        'chat:write',
        'users:read',
        'users:read.email',
        'im:write',
        'usergroups:read',
        'channels:read',
        'groups:read',
        'files:write',
      ]),
    );
  });

  it('points every HTTP request URL at the receiver path, and Socket Mode at none', () => {
    const http = load('manifest.yml');
    const socket = load('manifest.socket-mode.yml');
    const urls = [
      http.features.slash_commands[0]!.url,
      http.settings.event_subscriptions.request_url,
      http.settings.interactivity.request_url,
    ];

    expect(urls.every((u) => u?.endsWith(SLACK_EVENTS_PATH))).toBe(true);
    expect(JSON.stringify(socket)).not.toContain('request_url');
    expect(socket.features.slash_commands[0]!.url).toBeUndefined();
  });
});
