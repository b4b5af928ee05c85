/**
 * The single process for `npm run bench -- clicks`, in a process of its own
 * (forked by bench/clicks.ts), as `npm start` runs it: its event loop is not
 * the one sending 200 clicks and answering as Slack, so the acknowledgement
 * times the bench prints are the bot's own.
 *
 * Settings come from the environment the bench gives it. Its clock runs ahead
 * of the wall clock by an offset the bench moves on over IPC, which is how
 * the nags fall due without waiting an hour:
 *   { advanceSeconds: 7200 }  moves the clock on
 *   { nag: true }             fires the nags due
 *   { stop: true }            stops cleanly (SIGTERM's path) and exits
 * Each message is answered with `{ done: <its id> }`.
 */
import { loadConfig } from '../src/config/index.js';
import { startSingleProcess } from '../src/local/singleProcess.js';
import { createLogger } from '../src/log.js';

type Request = { id: number } & ({ advanceSeconds: number } | { nag: true } | { stop: true });

let offsetMs = 60_000;
const app = await startSingleProcess({
  config: loadConfig(process.env),
  log: createLogger('bench', 'ERROR'),
  clock: () => new Date(Date.now() + offsetMs),
});

process.on('message', (req: Request) => {
  const work = async () => {
    if ('advanceSeconds' in req) offsetMs += req.advanceSeconds * 1000;
    else if ('nag' in req) await app.service.runDueNags();
    else await app.stop();
  };
  void work().then(
    () => {
      process.send?.({ done: req.id });
      // --cpu-prof writes its profile when the process exits normally.
      if ('stop' in req) process.disconnect();
    },
    (err: unknown) => {
      process.send?.({ done: req.id, error: String(err) });
    },
  );
});
process.send?.({ ready: true });
