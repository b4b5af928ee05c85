/**
 * The `lightsout` program. Each subcommand lives in its own module; adding one
 * is one line in COMMANDS. Bad arguments and failures print a clear message
 * and exit non-zero, never a stack trace.
 */
import { Command, CommanderError } from 'commander';
import { ConfigError, type Env } from '../config/index.js';
import { LightsOutError } from '../core/errors.js';
import { clipQuotedSpans } from '../core/quote.js';
import { checkCommand } from './check.js';
import { cloudMapCommand } from './cloudmap/reconcileCommand.js';
import { type CliCommand, createCliContext, type Output } from './context.js';
import { decommissionCommand } from './decommission.js';
import { deliveriesCommand } from './deliveries.js';
import { listCommand } from './list.js';
import { reportCommand } from './report.js';
import { startCommand } from './start.js';
import { stopCommand } from './stop.js';
import { subscriptionsCommand } from './subscriptions.js';
import { workloadCommand } from './workload.js';

/** Subcommand modules, one line each. */
const COMMANDS: CliCommand[] = [
  startCommand,
  listCommand,
  reportCommand,
  stopCommand,
  checkCommand,
  decommissionCommand,
  cloudMapCommand,
  workloadCommand,
  deliveriesCommand,
  subscriptionsCommand,
];

export async function runCli(
  argv: string[],
  io: { env: Env; stdout: Output; stderr: Output } = {
    env: process.env,
    stdout: process.stdout,
    stderr: process.stderr,
  },
): Promise<number> {
  const ctx = createCliContext(io.env, io.stdout, io.stderr);
  const program = new Command('lightsout')
    .description('Lights Out: keeps AWS EC2 spend honest by nagging about long-running instances.')
    .showHelpAfterError('(run lightsout --help for usage)')
    .exitOverride()
    .configureOutput({
      writeOut: (s) => io.stdout.write(s),
      writeErr: (s) => io.stderr.write(s),
      // Commander repeats a bad command or option in full; quote at most 100 characters of it.
      outputError: (s, write) => write(clipQuotedSpans(s)),
    });
  for (const command of COMMANDS) command.register(program, ctx);
  try {
    await program.parseAsync(argv, { from: 'user' });
    return 0;
  } catch (err) {
    return reportError(err, io.stderr);
  }
}

function reportError(err: unknown, stderr: { write(s: string): void }): number {
  if (err instanceof CommanderError) {
    // Commander already printed its message (or the help); only the exit code is left.
    // Every other Commander error is a usage error (unknown command or option,
    // missing or invalid argument, bare `lightsout`): bad input, so 2, not
    // Commander's default 1, which the README keeps for commands that failed.
    const shown =
      err.exitCode === 0 || err.code === 'commander.helpDisplayed' || err.code === 'commander.version';
    return shown ? 0 : 2;
  }
  if (err instanceof ConfigError) {
    stderr.write(`lightsout: ${err.message}\n`);
    return 2;
  }
  if (err instanceof LightsOutError) {
    stderr.write(`lightsout: ${err.message}\n`);
    return err.code === 'invalid' ? 2 : 1;
  }
  stderr.write(`lightsout: ${err instanceof Error ? err.message : String(err)}\n`);
  return 1;
}
