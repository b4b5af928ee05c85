/**
 * The hook for command families owned by other features (e.g. `workload …`
 * in `workloadCommands.ts`). An extension claims a first word; the parser
 * hands it the remaining words untouched and the command service calls `run`.
 */

import type { CommandContext } from './commandContext.js';
import type { ChatReply } from './replies.js';

export interface CommandExtension {
  /** First word after `/ec2`, e.g. `workload`. Lower-case. */
  word: string;
  /** Lines for `/ec2 help`, e.g. `workload start <name>: starts a workload tier by tier`. */
  help: string[];
  /** Usage shown when the extension reports a malformed command. */
  usage: string;
  run(args: string[], ctx: CommandContext): Promise<ChatReply>;
  /**
   * True when running these args twice does no harm (a read, a question
   * asked again). Lambda may re-run such a command in a hand-off when the
   * first try overran the chat's answer budget; anything else is handed off
   * before it starts. Absent: treated as not repeatable.
   */
  repeatable?(args: string[]): boolean;
}
