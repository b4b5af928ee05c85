/**
 * `lightsout start`: the single process (the same engine as `npm start` in a
 * checkout), so an installed package runs the bot without the source tree.
 * Settings come from the environment; with no chat settings it runs log-only.
 */
import type { Command } from 'commander';
import { type Config, ConfigError } from '../config/index.js';
import type { CliCommand, CliContext } from './context.js';

export const startCommand: CliCommand = {
  register(program: Command, ctx: CliContext) {
    program
      .command('start')
      .description('Run the bot in this process (SQLite state, sweep every RECONCILE_EVERY) until Ctrl-C')
      .addHelpText(
        'after',
        '\nSettings come from the environment (see docs/configuration.md); without Slack or Teams\n' +
          'settings nags go to the log only. State: DB_PATH, by default\n' +
          '$XDG_STATE_HOME/lightsout/lightsout.db (~/.local/state/lightsout/lightsout.db).\n',
      )
      .action(async () => {
        let config: Config;
        try {
          config = ctx.config();
        } catch (err) {
          // The program reports the ConfigError itself (every problem, exit code 2).
          if (err instanceof ConfigError) ctx.stderr.write('lightsout: cannot start.\n');
          throw err;
        }
        // Loaded here, not at the top: the single process brings in the chat stacks,
        // which every other command would otherwise pay for at start-up.
        const { runUntilSignalled } = await import('../local/run.js');
        const code = await runUntilSignalled(config);
        if (code !== 0) throw new Error('the single process did not stop cleanly (see the log above)');
      });
  },
};
