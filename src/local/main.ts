/**
 * `npm start`: the single process. Loads config (a bad setting stops start-up
 * with a message naming the variable), starts the engine, and shuts down
 * cleanly on SIGINT/SIGTERM.
 */
import { ConfigError, loadConfig } from '../config/index.js';
import { createLogger } from '../log.js';
import { startSingleProcess } from './singleProcess.js';

async function main(): Promise<void> {
  let config: ReturnType<typeof loadConfig>;
  try {
    config = loadConfig(process.env);
  } catch (err) {
    if (err instanceof ConfigError) {
      process.stderr.write(`lightsout: cannot start.\n${err.message}\n`);
      process.exit(2);
    }
    throw err;
  }
  const log = createLogger('lightsout', config.logLevel);
  const app = await startSingleProcess({ config, log });

  let stopping = false;
  const shutdown = (signal: string) => {
    if (stopping) return;
    stopping = true;
    log.info('shutting down', { signal });
    app.stop().then(
      () => process.exit(0),
      (err: unknown) => {
        log.error('unclean shutdown', { error: String(err) });
        process.exit(1);
      },
    );
  };
  process.on('SIGINT', () => shutdown('SIGINT'));
  process.on('SIGTERM', () => shutdown('SIGTERM'));
}

main().catch((err: unknown) => {
  process.stderr.write(`lightsout: failed to start: ${err instanceof Error ? err.message : String(err)}\n`);
  process.exit(1);
});
