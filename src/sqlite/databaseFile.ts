/**
 * Notices when the database file of a running process is deleted or replaced.
 * SQLite keeps writing to the open (now nameless) file without complaint, so
 * without this check every subscription and schedule written since start-up
 * silently disappears at the next restart.
 */
import { statSync } from 'node:fs';

/** Which file a path named when the database was opened. */
export interface FileIdentity {
  dev: number;
  ino: number;
}

export function fileIdentity(path: string): FileIdentity {
  const s = statSync(path);
  return { dev: s.dev, ino: s.ino };
}

/** Why `path` no longer names the file opened as `opened`, or undefined while it still does. */
export function databaseFileProblem(path: string, opened: FileIdentity): string | undefined {
  let now: FileIdentity;
  try {
    now = fileIdentity(path);
  } catch (err) {
    const code = (err as { code?: string }).code;
    return code === 'ENOENT' ? 'was deleted' : `can no longer be read (${code ?? String(err)})`;
  }
  return now.dev === opened.dev && now.ino === opened.ino ? undefined : 'was replaced by another file';
}
