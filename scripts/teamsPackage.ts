/**
 * Builds the Teams app package: the manifest template with its placeholders
 * filled, validated offline against the vendored manifest schema, zipped with
 * the two icons at the root of the archive (as Teams requires).
 *
 *   npm run package:teams -- --app-id <guid> --domain bot.example.com
 *   MicrosoftAppId=<guid> TEAMS_BOT_DOMAIN=bot.example.com npm run package:teams
 */
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import Ajv from 'ajv-draft-04';
import addFormats from 'ajv-formats';
import { Command, CommanderError } from 'commander';
import { zipSync } from 'fflate';
import { PNG } from 'pngjs';
import { readTeamsPackageSettings } from '../src/config/teams.js';
import { ValidationError } from '../src/core/errors.js';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..');
export const MANIFEST_DIR = join(ROOT, 'manifests/teams');
export const MANIFEST_SCHEMA_FILE = join(MANIFEST_DIR, 'schema/MicrosoftTeams.v1.25.schema.json');

const GUID_RE = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const DOMAIN_RE = /^(?=.{1,253}$)([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,63}$/i;

export interface TeamsPackageOptions {
  /** The Azure Bot's Microsoft App ID. */
  appId: string;
  /** Host name serving /api/messages, without scheme or path. */
  domain: string;
  /** Teams app id; defaults to the bot's app id. */
  teamsAppId?: string;
  version?: string;
  websiteUrl?: string;
  privacyUrl?: string;
  termsUrl?: string;
}

/** Fills the template; throws with every problem named when an option is unusable. */
export function fillManifest(template: string, opts: TeamsPackageOptions): Record<string, unknown> {
  const problems: string[] = [];
  if (!GUID_RE.test(opts.appId))
    problems.push(`--app-id must be the bot's Microsoft App ID (a GUID); got "${opts.appId}"`);
  if (opts.teamsAppId !== undefined && !GUID_RE.test(opts.teamsAppId)) {
    problems.push(`--teams-app-id must be a GUID; got "${opts.teamsAppId}"`);
  }
  if (!DOMAIN_RE.test(opts.domain)) {
    problems.push(
      `--domain must be a host name such as bot.example.com (no https://, no path); got "${opts.domain}"`,
    );
  }
  if (problems.length) throw new ValidationError(problems.join('\n'));
  const site = opts.websiteUrl ?? `https://${opts.domain}/`;
  const values: Record<string, string> = {
    MICROSOFT_APP_ID: opts.appId,
    TEAMS_APP_ID: opts.teamsAppId ?? opts.appId,
    BOT_DOMAIN: opts.domain,
    APP_VERSION: opts.version ?? packageVersion(),
    WEBSITE_URL: site,
    PRIVACY_URL: opts.privacyUrl ?? site,
    TERMS_URL: opts.termsUrl ?? site,
  };
  const filled = template.replace(/\{\{([A-Z_]+)\}\}/g, (whole, name: string) => {
    const v = values[name];
    if (v === undefined) throw new Error(`manifest template has an unknown placeholder ${whole}`);
    return JSON.stringify(v).slice(1, -1);
  });
  return JSON.parse(filled) as Record<string, unknown>;
}

function packageVersion(): string {
  return (JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { version: string }).version;
}

/** Validation errors of a manifest against the vendored schema ([] = valid). */
export function validateManifest(manifest: unknown): string[] {
  const schema = JSON.parse(readFileSync(MANIFEST_SCHEMA_FILE, 'utf8')) as Record<string, unknown>;
  const ajv = new Ajv({ allErrors: true, strict: false });
  addFormats(ajv);
  const validate = ajv.compile(schema);
  if (validate(manifest)) return [];
  return (validate.errors ?? []).map((e) => `${e.instancePath || '/'} ${e.message ?? 'is invalid'}`);
}

export interface PngFacts {
  width: number;
  height: number;
  /** Any pixel with alpha < 255. */
  hasTransparency: boolean;
  /** Every pixel that is not fully transparent is white. */
  opaquePixelsAllWhite: boolean;
}

export function pngFacts(bytes: Uint8Array): PngFacts {
  const png = PNG.sync.read(Buffer.from(bytes));
  let hasTransparency = false;
  let opaquePixelsAllWhite = true;
  for (let i = 0; i < png.data.length; i += 4) {
    const alpha = png.data[i + 3]!;
    if (alpha < 255) hasTransparency = true;
    if (alpha > 0 && (png.data[i]! < 250 || png.data[i + 1]! < 250 || png.data[i + 2]! < 250)) {
      opaquePixelsAllWhite = false;
    }
  }
  return { width: png.width, height: png.height, hasTransparency, opaquePixelsAllWhite };
}

/** The package's files: manifest.json and the icons, at the archive root. */
export function buildTeamsPackage(opts: TeamsPackageOptions): {
  manifest: Record<string, unknown>;
  zip: Uint8Array;
} {
  const manifest = fillManifest(readFileSync(join(MANIFEST_DIR, 'manifest.json'), 'utf8'), opts);
  const errors = validateManifest(manifest);
  // The template is tested valid, so a mismatch comes from an option such as --version.
  if (errors.length)
    throw new ValidationError(`manifest does not match its schema:\n  ${errors.join('\n  ')}`);
  const color = readFileSync(join(MANIFEST_DIR, 'color.png'));
  const outline = readFileSync(join(MANIFEST_DIR, 'outline.png'));
  const zip = zipSync({
    'manifest.json': new TextEncoder().encode(`${JSON.stringify(manifest, null, 2)}\n`),
    'color.png': color,
    'outline.png': outline,
  });
  return { manifest, zip };
}

export interface TeamsPackageIo {
  env: Record<string, string | undefined>;
  stdout: { write(text: string): void };
  stderr: { write(text: string): void };
}

/**
 * `npm run package:teams`: returns the exit code the README promises, 0 when
 * the package was written, 2 for bad input (a missing, unknown or unusable
 * option), 1 when writing failed.
 */
export function runTeamsPackage(
  argv: string[],
  io: TeamsPackageIo = { env: process.env, stdout: process.stdout, stderr: process.stderr },
): number {
  try {
    main(argv, io);
    return 0;
  } catch (e) {
    // Commander printed its own message (or the help) already.
    if (e instanceof CommanderError) return e.exitCode === 0 ? 0 : 2;
    io.stderr.write(`${(e as Error).message}\n`);
    return e instanceof ValidationError ? 2 : 1;
  }
}

function main(argv: string[], io: TeamsPackageIo): void {
  const env = readTeamsPackageSettings(io.env);
  const program = new Command('package:teams')
    .exitOverride()
    .configureOutput({ writeOut: (s) => io.stdout.write(s), writeErr: (s) => io.stderr.write(s) })
    .description('Build dist/lightsout-teams.zip for upload to Teams')
    .option(
      '--app-id <guid>',
      'Azure Bot Microsoft App ID (default: $MicrosoftAppId / $MICROSOFT_APP_ID)',
      env.appId,
    )
    .option('--domain <host>', 'host serving /api/messages (default: $TEAMS_BOT_DOMAIN)', env.domain)
    .option('--teams-app-id <guid>', 'Teams app id (default: the bot app id)')
    .option('--version <semver>', 'app version (default: $TEAMS_APP_VERSION or package.json)', env.version)
    .option('--website-url <url>', 'developer website (default: https://<domain>/)')
    .option('--privacy-url <url>', 'privacy statement (default: the website)')
    .option('--terms-url <url>', 'terms of use (default: the website)')
    .option('--out <file>', 'output file', join(ROOT, 'dist/lightsout-teams.zip'))
    .parse(argv, { from: 'user' });
  const o = program.opts<Record<string, string | undefined>>();
  if (!o.appId || !o.domain) {
    program.error('package:teams needs --app-id (or MicrosoftAppId) and --domain (or TEAMS_BOT_DOMAIN)');
  }
  const { zip } = buildTeamsPackage({
    appId: o.appId!,
    domain: o.domain!,
    teamsAppId: o.teamsAppId,
    version: o.version,
    websiteUrl: o.websiteUrl,
    privacyUrl: o.privacyUrl,
    termsUrl: o.termsUrl,
  });
  const out = resolve(o.out!);
  mkdirSync(dirname(out), { recursive: true });
  writeFileSync(out, zip);
  io.stdout.write(`wrote ${out} (${zip.length} bytes)\n`);
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  process.exitCode = runTeamsPackage(process.argv.slice(2));
}
