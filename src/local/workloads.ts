/**
 * Workloads in the single process: SQLite runs, in-process step scheduler,
 * the `/ec2 workload` chat extension and its progress message. Active runs
 * are resumed at start (from the last saved step) and every minute after, so
 * a run the CLI began and left waiting on a delay is picked up here.
 */

import type { CommandExtension } from '../chat/core/commandExtension.js';
import { workloadCommands } from '../chat/core/workloadCommands.js';
import { workloadProgressListener } from '../chat/core/workloadProgress.js';
import type { Config } from '../config/index.js';
import type { Log } from '../log.js';
import type { Clock } from '../ports/clock.js';
import type { Fleet } from '../ports/fleet.js';
import type { WorkloadProgressPoster } from '../ports/workloadProgress.js';
import type { RunStopper } from '../services/monitor/stop.js';
import type { SqliteDatabase } from '../sqlite/database.js';
import { localWorkloadRuntime, type WorkloadRuntime } from '../wiring/workloadWiring.js';

const RESUME_EVERY_MS = 60_000;

export interface LocalWorkloads {
  runtime: WorkloadRuntime;
  extension: CommandExtension;
  stop(): Promise<void>;
}

export async function startLocalWorkloads(opts: {
  config: Config;
  log: Log;
  db: SqliteDatabase;
  clock: Clock;
  fleet: Fleet;
  /** The process's own stopper, so tier stops cancel nags on its running scheduler. */
  stopper: Pick<RunStopper, 'stopMany'>;
  posters: WorkloadProgressPoster[];
}): Promise<LocalWorkloads> {
  const { config, log } = opts;
  const runtime = localWorkloadRuntime(config, opts.db, {
    log,
    clock: opts.clock,
    fleet: opts.fleet,
    stopper: opts.stopper,
  });
  runtime.status.subscribe(workloadProgressListener(opts.posters, log));
  await runtime.scheduler.start((step) => runtime.service.handleStep(step).then(() => undefined));
  const resume = () =>
    runtime.service
      .resume()
      .catch((err: unknown) =>
        log.error('resuming workload runs failed; will retry', { error: String(err) }),
      );
  const resumed = await runtime.service.resume();
  if (resumed.length) log.info('workload runs resumed', { runs: resumed.map((r) => r.runId) });
  const loop = setInterval(() => void resume(), RESUME_EVERY_MS);
  return {
    runtime,
    extension: workloadCommands({
      service: runtime.service,
      admins: config.workloads.admins,
      posters: opts.posters,
      clock: opts.clock,
    }),
    async stop() {
      clearInterval(loop);
      await runtime.scheduler.stop();
    },
  };
}
