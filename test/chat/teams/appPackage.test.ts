import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { unzipSync } from 'fflate';
import { PNG } from 'pngjs';
import { describe, expect, it } from 'vitest';
import { ACCENT, drawIcon } from '../../../scripts/teamsIcons.js';
import {
  buildTeamsPackage,
  fillManifest,
  MANIFEST_DIR,
  pngFacts,
  validateManifest,
} from '../../../scripts/teamsPackage.js';

const APP_ID = '0f8e6b1c-3a2d-4e5f-9a7b-1c2d3e4f5a6b';
const template = () => readFileSync(join(MANIFEST_DIR, 'manifest.json'), 'utf8');

describe('Teams app package', () => {
  it('fills the manifest template into a manifest valid against the vendored v1.25 schema', () => {
    // Arrange / Act
    const manifest = fillManifest(template(), { appId: APP_ID, domain: 'bot.example.com', version: '1.2.3' });

    // Assert
    expect(validateManifest(manifest)).toEqual([]);
    expect(manifest).toMatchObject({ manifestVersion: '1.25', id: APP_ID, version: '1.2.3' });
    expect(manifest.validDomains).toEqual(['bot.example.com']);
  });

  it('declares the bot with a command list holding every chat verb', () => {
    const manifest = fillManifest(template(), { appId: APP_ID, domain: 'bot.example.com' }) as {
      bots: { botId: string; scopes: string[]; commandLists: { commands: { title: string }[] }[] }[];
    };

    const bot = manifest.bots[0]!;
    const titles = bot.commandLists.flatMap((l) => l.commands.map((c) => c.title));

    expect(bot.botId).toBe(APP_ID);
    expect(bot.scopes).toContain('team');
    // Personal scope: where private answers go, since Teams has no message only one person sees.
    expect(bot.scopes).toContain('personal');
    expect(titles).toEqual(
      expect.arrayContaining(['list', 'status', 'stop', 'snooze', 'extend', 'subscribe', 'unsubscribe']),
    );
    expect(titles).toEqual(expect.arrayContaining(['subscriptions', 'workload', 'help']));
  });

  it('rejects a schema violation, so the validator is not vacuous', () => {
    const manifest = fillManifest(template(), { appId: APP_ID, domain: 'bot.example.com' });

    const errors = validateManifest({ ...manifest, accentColor: 'blue', bots: [{ scopes: ['team'] }] });

    expect(errors.join('\n')).toMatch(/accentColor/);
    expect(errors.join('\n')).toMatch(/botId/);
  });

  it('names every unusable option at once', () => {
    expect(() =>
      fillManifest(template(), { appId: 'not-a-guid', domain: 'https://bot.example.com/x' }),
    ).toThrow(/--app-id must be .*GUID[\s\S]*--domain must be a host name/);
  });

  it('ships a 192×192 opaque colour icon and a 32×32 white-on-transparent outline icon', () => {
    const color = pngFacts(readFileSync(join(MANIFEST_DIR, 'color.png')));
    const outline = pngFacts(readFileSync(join(MANIFEST_DIR, 'outline.png')));

    expect(color).toMatchObject({ width: 192, height: 192, hasTransparency: false });
    expect(outline).toMatchObject({
      width: 32,
      height: 32,
      hasTransparency: true,
      opaquePixelsAllWhite: true,
    });
  });

  it('zips the manifest and both icons at the archive root', () => {
    const { zip } = buildTeamsPackage({ appId: APP_ID, domain: 'bot.example.com' });

    const files = unzipSync(zip);

    expect(Object.keys(files).sort()).toEqual(['color.png', 'manifest.json', 'outline.png']);
    const manifest = JSON.parse(new TextDecoder().decode(files['manifest.json'])) as Record<string, unknown>;
    expect(validateManifest(manifest)).toEqual([]);
    expect(pngFacts(files['outline.png']!)).toMatchObject({ width: 32, height: 32 });
  });

  it('ships the icons the script draws, so they can be re-made from code', () => {
    const color = PNG.sync.read(readFileSync(join(MANIFEST_DIR, 'color.png')));
    const outline = PNG.sync.read(readFileSync(join(MANIFEST_DIR, 'outline.png')));

    expect(Buffer.compare(color.data, drawIcon(192, ACCENT.rgb).data)).toBe(0);
    expect(Buffer.compare(outline.data, drawIcon(32).data)).toBe(0);
  });
});
