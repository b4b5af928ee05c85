/**
 * The single process's lifetime, shared by `npm start` and `lightsout start`:
 * start the engine, run until SIGINT or SIGTERM, then stop it cleanly (the
 * sweep in progress finishes, the store closes) and report the exit code.
 */
import type { Config } from '../config/index.js';
import { createLogger } from '../log.js';
import { startSingleProcess } from './singleProcess.js';

/** Resolves with 0 after a clean shutdown on SIGINT/SIGTERM, 1 if stopping failed. */
export async function runUntilSignalled(config: Config): Promise<number> {
  const log = createLogger('lightsout', config.logLevel);
  const app = await startSingleProcess({ config, log });
  return new Promise<number>((resolve) => {
    let stopping = false;
    const shutdown = (signal: NodeJS.Signals) => {
      // A second signal while stopping is ignored: the first one's shutdown is already under way.
      if (stopping) return;
      stopping = true;
      log.info('shutting down', { signal });
      app.stop().then(
        () => resolve(0),
        (err: unknown) => {
          log.error('unclean shutdown', { error: String(err) });
          resolve(1);
        },
      );
    };
    process.on('SIGINT', shutdown);
    process.on('SIGTERM', shutdown);
  });
}
