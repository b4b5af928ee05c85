/**
 * The single process's lifetime, shared by `npm start` and `lightsout start`:
 * start the engine, run until SIGINT or SIGTERM, then stop it cleanly (the
 * sweep in progress finishes, the store closes) and report the exit code.
 */
import type { Config } from '../config/index.js';
import { createLogger } from '../log.js';
import { startSingleProcess } from './singleProcess.js';

/** How long a stopped process may take to end by itself before it is ended. */
const EXIT_GRACE_MS = 1_000;

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
      app
        .stop()
        .then(
          () => 0,
          (err: unknown) => {
            log.error('unclean shutdown', { error: String(err) });
            return 1;
          },
        )
        .then((code) => {
          resolve(code);
          // Chat work cut off at SHUTDOWN_DRAIN_DEADLINE may still hold a socket (a hung AWS call) or a
          // retry timer; the process ends anyway, without keeping the supervisor waiting for it.
          setTimeout(() => process.exit(code), EXIT_GRACE_MS).unref();
        });
    };
    process.on('SIGINT', shutdown);
    process.on('SIGTERM', shutdown);
  });
}
