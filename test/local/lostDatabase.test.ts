/**
 * The single process and its SQLite file: a file deleted or replaced while the
 * process runs is reported once and ends the process non-zero (so a
 * supervisor restarts it), and a file that cannot be used stops start-up
 * with the path and DB_PATH in the message.
 */
import { mkdirSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Logger } from '@aws-lambda-powertools/logger';
import { beforeEach, describe, expect, it } from 'vitest';
import { startSingleProcess } from '../../src/local/singleProcess.js';
import { localConfig, useLocalProcess } from '../support/localProcess.js';
import { useMoto } from '../support/moto.js';

/** A real logger that also keeps what it was asked to log at error level. */
class RecordingLogger extends Logger {
  readonly errors: { message: string; extra: unknown[] }[] = [];
  override error(input: unknown, ...extra: unknown[]): void {
    this.errors.push({ message: String(input), extra });
  }
}

describe('the database file of the single process', () => {
  const moto = useMoto();
  const local = useLocalProcess('lightsout-db-');
  beforeEach(() => moto.reset());

  async function start() {
    const log = new RecordingLogger({ serviceName: 'test', logLevel: 'ERROR' });
    const exits: number[] = [];
    const config = localConfig(local.dir);
    local.app = await startSingleProcess({ config, log, exit: (code) => exits.push(code) });
    return { log, exits, path: config.store.sqlitePath };
  }

  it.each([
    ['deleted', (path: string) => rmSync(path)],
    [
      'replaced by another file',
      (path: string) => {
        writeFileSync(`${path}.new`, '');
        renameSync(`${path}.new`, path);
      },
    ],
  ])('reports a file %s while running once, and exits non-zero', async (what, lose) => {
    // Arrange
    const { log, exits, path } = await start();
    expect(exits).toEqual([]);

    // Act
    lose(path);
    await local.app!.sweep();
    await local.app!.sweep();

    // Assert
    expect(exits).toEqual([1]);
    expect(log.errors).toHaveLength(1);
    expect(log.errors[0]!.message).toContain(
      `SQLite database file ${path} (DB_PATH) was ${what.split(' ')[0]}`,
    );
    expect(log.errors[0]!.message).toMatch(/exit code 1 so a supervisor restarts it/);
  });

  it.each([
    ['a directory at the path', (p: string) => mkdirSync(p), /DB_PATH must name a file/],
    [
      'a corrupt file',
      (p: string) => writeFileSync(p, 'this is not a SQLite database, just some text\n'.repeat(200)),
      /not a SQLite database or is damaged/,
    ],
    [
      'a file where the directory should be',
      (p: string) => writeFileSync(join(p, '..'), ''),
      /a file stands where its directory should be/,
    ],
  ])('refuses to start on %s, naming the path and DB_PATH', async (_case, arrange, advice) => {
    // Arrange
    const dbPath =
      _case === 'a file where the directory should be'
        ? join(local.dir, 'sub', 'x.db')
        : join(local.dir, 'lightsout.db');
    arrange(dbPath);
    const config = localConfig(local.dir, { DB_PATH: dbPath });
    const log = new RecordingLogger({ serviceName: 'test', logLevel: 'ERROR' });

    // Act
    const started = startSingleProcess({ config, log, exit: () => undefined });

    // Assert
    await expect(started).rejects.toThrow(`cannot use the SQLite database at ${dbPath} (DB_PATH)`);
    await expect(started).rejects.toThrow(advice);
  });
});
