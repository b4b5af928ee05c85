import { beforeEach, describe, expect, it } from 'vitest';
import { DynamoChatInstallationStore } from '../../src/aws/dynamodb/chatInstallationStore.js';
import type { ChatInstallation, ChatInstallationStore } from '../../src/ports/chatInstallationStore.js';
import { SqliteChatInstallationStore } from '../../src/sqlite/chatInstallationStore.js';
import { openDatabase } from '../../src/sqlite/database.js';
import { createTable } from '../support/dynamoTable.js';
import { useMoto } from '../support/moto.js';

const moto = useMoto();

const implementations: [string, () => Promise<ChatInstallationStore>][] = [
  ['SQLite', async () => new SqliteChatInstallationStore(openDatabase(':memory:'))],
  [
    'DynamoDB',
    async () => {
      await moto.reset();
      const { doc, tableName } = await createTable(moto);
      return new DynamoChatInstallationStore(doc, tableName);
    },
  ],
];

const install = (id: string, serviceUrl = 'https://smba.example/emea/'): ChatInstallation => ({
  platform: 'teams',
  id,
  channel: {
    platform: 'teams',
    channelId: id,
    serviceUrl,
    tenantId: 'tenant-1',
    teamId: id,
    conversationReference: { conversation: { id }, bot: { id: '28:bot' }, serviceUrl },
  },
  name: 'Platform team',
  installedBy: 'teams:aad-1',
  installedAt: '2026-11-20T09:00:00.000Z',
});

describe.each(implementations)('ChatInstallationStore contract: %s', (_name, make) => {
  let store: ChatInstallationStore;
  beforeEach(async () => {
    store = await make();
  });

  it('saves, finds and lists installations per platform', async () => {
    // Arrange
    await store.save(install('19:b@thread.tacv2'));
    await store.save(install('19:a@thread.tacv2'));

    // Act
    const one = await store.get('teams', '19:a@thread.tacv2');
    const all = await store.all('teams');

    // Assert
    expect(one).toEqual(install('19:a@thread.tacv2'));
    expect(all.map((i) => i.id).sort()).toEqual(['19:a@thread.tacv2', '19:b@thread.tacv2']);
    expect(await store.all('slack')).toEqual([]);
  });

  it('refreshes an installation saved again (service URLs move)', async () => {
    await store.save(install('19:a@thread.tacv2'));

    await store.save(install('19:a@thread.tacv2', 'https://smba.example/amer/'));

    expect((await store.get('teams', '19:a@thread.tacv2'))?.channel.serviceUrl).toBe(
      'https://smba.example/amer/',
    );
    expect(await store.all('teams')).toHaveLength(1);
  });

  it('removes, and says whether there was anything to remove', async () => {
    await store.save(install('19:a@thread.tacv2'));

    expect(await store.remove('teams', '19:a@thread.tacv2')).toBe(true);
    expect(await store.remove('teams', '19:a@thread.tacv2')).toBe(false);
    expect(await store.get('teams', '19:a@thread.tacv2')).toBeUndefined();
  });
});
