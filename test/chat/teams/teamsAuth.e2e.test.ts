/**
 * Authentication of /api/messages with a client id configured, through the
 * real CloudAdapter and the Agents SDK's JWT check: tokens are signed with a
 * locally generated key whose JWKS a loopback server publishes (the bot's
 * authorityEndpoint points there, as it would at a national cloud).
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { entraClaims, signWithOtherKey, startTokenKeys, type TokenKeys } from '../../support/botTokens.js';
import { useFakeBotConnector } from '../../support/fakeBotConnector.js';
import { useMoto } from '../../support/moto.js';
import { mention } from './activities.js';
import { createTeamsWorld, TENANT, type TeamsWorld } from './teamsWorld.js';

const CLIENT_ID = '0f8e6b1c-3a2d-4e5f-9a7b-1c2d3e4f5a6b';

const moto = useMoto();
const connector = useFakeBotConnector();

/** The bot's settings with its keys at `authority`. */
const botEnv = (authority: string, extra: Record<string, string> = {}) => ({
  connections__serviceConnection__settings__clientId: CLIENT_ID,
  connections__serviceConnection__settings__clientSecret: 'test-only',
  connections__serviceConnection__settings__tenantId: TENANT,
  connections__serviceConnection__settings__authorityEndpoint: authority,
  ...extra,
});

/** An @mention that asks for its answers in the HTTP response (no connector needed to see them). */
const expectReplies = (command: string) => {
  const { serviceUrl: _none, ...activity } = mention(connector.serviceUrl, command);
  return { ...activity, deliveryMode: 'expectReplies' };
};

/** Runs `act` and returns what it wrote to stderr meanwhile. */
async function stderrDuring(act: () => Promise<void>): Promise<string> {
  const chunks: string[] = [];
  const write = process.stderr.write.bind(process.stderr);
  process.stderr.write = ((chunk: string | Uint8Array, ...rest: never[]) => {
    chunks.push(String(chunk));
    return write(chunk, ...rest);
  }) as typeof process.stderr.write;
  try {
    await act();
  } finally {
    process.stderr.write = write;
  }
  return chunks.join('');
}

describe('Teams authentication (client id set)', () => {
  let keys: TokenKeys;
  let world: TeamsWorld;

  beforeEach(async () => {
    await moto.reset();
    keys = await startTokenKeys(TENANT);
  });
  afterEach(async () => {
    await world?.close();
    await keys.close();
  });

  it('answers a request whose token the published key signed', async () => {
    // Arrange
    world = await createTeamsWorld(moto, connector, botEnv(keys.authority));
    const token = keys.sign(entraClaims(TENANT, CLIENT_ID));

    // Act
    const res = await world.post(expectReplies('help'), { headers: { authorization: `Bearer ${token}` } });

    // Assert
    expect(res.status).toBe(200);
    expect(JSON.stringify(res.body)).toMatch(/Lights Out commands/);
    expect(keys.fetches()).toBeGreaterThan(0);
  });

  it('refuses a missing, malformed, foreign-signed or wrong-audience token with 401 and no internals', async () => {
    // Arrange
    world = await createTeamsWorld(moto, connector, botEnv(keys.authority));
    const activity = mention(connector.serviceUrl, 'subscribe web');
    const attempts = {
      missing: {},
      malformed: { authorization: 'Bearer not-a-jwt' },
      otherKey: { authorization: `Bearer ${signWithOtherKey(entraClaims(TENANT, CLIENT_ID))}` },
      otherBot: {
        authorization: `Bearer ${keys.sign(entraClaims(TENANT, '11111111-2222-4333-8444-555555555555'))}`,
      },
    };

    // Act
    const answers = await Promise.all(
      Object.values(attempts).map((headers) => world.post(activity, { headers })),
    );

    // Assert
    expect(answers.map((a) => a.status)).toEqual([401, 401, 401, 401]);
    for (const a of answers)
      expect(a.body).toEqual({ error: 'unauthorized: a valid Bot Framework token is required' });
    expect(connector.sent).toEqual([]);
    expect(await world.subscriptions.forGroup('web')).toEqual([]);
  });

  it('logs one structured line per refused request, never a stack trace', async () => {
    // Arrange
    world = await createTeamsWorld(moto, connector, botEnv(keys.authority));
    const before = world.logs.length;

    // Act
    const stderr = await stderrDuring(async () => {
      await world.post(mention(connector.serviceUrl, 'help'));
    });

    // Assert
    const lines = world.logs.slice(before);
    expect(lines).toEqual([
      {
        level: 'warn',
        message: 'teams request refused: no valid token',
        fields: expect.objectContaining({ status: 401 }),
      },
    ]);
    expect(JSON.stringify(lines)).not.toMatch(/\n\s+at /);
    expect(stderr).not.toMatch(/\n\s+at /);
  });

  it('answers 503 without internals when the signing keys cannot be reached', async () => {
    // Arrange: the key server is gone (Entra unreachable from here).
    world = await createTeamsWorld(moto, connector, botEnv(keys.authority));
    const token = keys.sign(entraClaims(TENANT, CLIENT_ID));
    await keys.close();
    const before = world.logs.length;

    // Act
    const res = await world.post(mention(connector.serviceUrl, 'help'), {
      headers: { authorization: `Bearer ${token}` },
    });

    // Assert
    expect(res.status).toBe(503);
    expect(res.body).toEqual({ error: 'the bot cannot verify tokens right now; try again shortly' });
    expect(world.logs.slice(before)).toEqual([
      expect.objectContaining({ level: 'error', fields: expect.objectContaining({ status: 503 }) }),
    ]);
    expect(connector.sent).toEqual([]);
    keys = await startTokenKeys(TENANT);
  });

  it('still accepts the Bot Framework setting names, logging each as deprecated', async () => {
    // Arrange
    world = await createTeamsWorld(moto, connector, {
      MicrosoftAppId: CLIENT_ID,
      MicrosoftAppPassword: 'test-only',
      MicrosoftAppTenantId: TENANT,
      authorityEndpoint: keys.authority,
    });
    const token = keys.sign(entraClaims(TENANT, CLIENT_ID));

    // Act
    const ok = await world.post(expectReplies('help'), { headers: { authorization: `Bearer ${token}` } });
    const refused = await world.post(expectReplies('help'));

    // Assert
    expect([ok.status, refused.status]).toEqual([200, 401]);
    const deprecations = world.logs.filter((l) => l.message === 'deprecated Teams setting: rename it');
    expect(deprecations.map((l) => l.fields)).toEqual([
      { setting: 'MicrosoftAppId', use: 'connections__serviceConnection__settings__clientId' },
      { setting: 'MicrosoftAppPassword', use: 'connections__serviceConnection__settings__clientSecret' },
      { setting: 'MicrosoftAppTenantId', use: 'connections__serviceConnection__settings__tenantId' },
    ]);
  });
});
