/** The Lambda bot's outbound tokens, against a loopback Entra token endpoint. */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ClientSecretTokenProvider, TokenRequestError } from '../../../src/chat/teams/clientCredentials.js';
import { startTokenKeys, type TokenKeys } from '../../support/botTokens.js';
import { TENANT } from './teamsWorld.js';

const settings = (authorityEndpoint: string) => ({
  clientId: '0f8e6b1c-3a2d-4e5f-9a7b-1c2d3e4f5a6b',
  clientSecret: 'test-only',
  tenantId: TENANT,
  authorityEndpoint,
});

describe('client-credentials tokens', () => {
  let entra: TokenKeys;
  beforeEach(async () => {
    entra = await startTokenKeys(TENANT);
  });
  afterEach(() => entra.close());

  it('asks once per scope and reuses the token until shortly before it expires', async () => {
    // Arrange
    let now = 0;
    const provider = new ClientSecretTokenProvider(settings(entra.authority), () => now);

    // Act
    const first = await provider.getAccessToken('https://api.botframework.com');
    const again = await provider.getAccessToken('https://api.botframework.com');
    now = 3599_000 - 4 * 60_000; // inside the last five minutes of the token's life
    const renewed = await provider.getAccessToken('https://api.botframework.com');

    // Assert
    expect([first, again, renewed]).toEqual([entra.issuedToken, entra.issuedToken, entra.issuedToken]);
    expect(entra.tokenRequests).toHaveLength(2);
    expect(entra.tokenRequests[0]!.get('scope')).toBe('https://api.botframework.com/.default');
  });

  it('names the scope and the status when Entra cannot be reached or refuses', async () => {
    // Arrange
    const nowhere = new ClientSecretTokenProvider(settings('http://127.0.0.1:9'));
    const wrongTenant = new ClientSecretTokenProvider({ ...settings(entra.authority), tenantId: 'other' });

    // Act / Assert
    await expect(nowhere.getAccessToken('https://api.botframework.com')).rejects.toThrow(
      /could not be reached for https:\/\/api\.botframework\.com\/\.default/,
    );
    await expect(wrongTenant.getAccessToken('https://api.botframework.com')).rejects.toThrow(
      TokenRequestError,
    );
  });
});
