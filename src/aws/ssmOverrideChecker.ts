/**
 * Stop-override check through SSM Run Command: one SendCommand per tier chunk
 * of up to 50 instances (SendCommand's own limit), then GetCommandInvocation
 * per instance (ListCommandInvocations would save calls but moto lacks it, and
 * the per-instance read gives each instance its own status anyway).
 *
 * Only an explicit marker in the output counts as "present":
 * AWS_EC2_Scheduler trusted exit code 0, which a shell that failed to run the test
 * also returns. A successful invocation without the present marker (moto's
 * output is always empty) counts as absent. An instance SSM cannot reach is
 * reported unreachable with the reason, never silently absent.
 */

import type { GetCommandInvocationCommandOutput, SSMClient } from '@aws-sdk/client-ssm';
import { formatDuration } from '../core/duration.js';
import type { StopOverride } from '../core/workloads/spec.js';
import type { OverrideResult } from '../core/workloads/tierPlan.js';
import type { OverrideChecker } from '../ports/overrideChecker.js';
import { loadSsmSdk } from './clients.js';
import { awsCall, awsErrorCode } from './errors.js';

export const PRESENT_MARKER = 'LIGHTSOUT_OVERRIDE_PRESENT';
export const ABSENT_MARKER = 'LIGHTSOUT_OVERRIDE_ABSENT';
/** SendCommand accepts at most 50 instance ids per call. */
export const SSM_BATCH = 50;
const READ_CONCURRENCY = 8;

const DONE_BAD = new Set([
  'Cancelled',
  'TimedOut',
  'Failed',
  'Cancelling',
  'Undeliverable',
  'Terminated',
  'DeliveryTimedOut',
  'ExecutionTimedOut',
]);

export interface SsmCheckStats {
  sendCommand: number;
  getCommandInvocation: number;
}

export interface SsmOverrideCheckerOptions {
  /** How long to wait for every instance to answer. */
  timeoutMs?: number;
  pollIntervalMs?: number;
  sleep?: (ms: number) => Promise<void>;
  now?: () => number;
}

/**
 * The guest script: prints exactly one marker. The filename never appears in
 * the script's text: it travels base64-encoded (an alphabet no shell or
 * PowerShell quoting treats specially) and is decoded on the guest. Quoting it
 * instead is a trap: PowerShell also ends a single-quoted string at the curly
 * quotes U+2018–U+201B, so a doubled ASCII `'` did not keep a spec value inert.
 */
export function overrideScript(override: StopOverride): { document: string; commands: string[] } {
  const encoded = Buffer.from(override.filename, 'utf8').toString('base64');
  if (override.os === 'Windows') {
    return {
      document: 'AWS-RunPowerShellScript',
      commands: [
        `$path = [System.Text.Encoding]::UTF8.GetString([System.Convert]::FromBase64String('${encoded}'))`,
        `if (Test-Path -LiteralPath $path) { Write-Output '${PRESENT_MARKER}' } else { Write-Output '${ABSENT_MARKER}' }`,
      ],
    };
  }
  return {
    document: 'AWS-RunShellScript',
    commands: [
      // The trailing x survives command substitution, which would strip a name's trailing newlines.
      `path="$(printf '%s' '${encoded}' | base64 -d; echo x)"`,
      `path="\${path%x}"`,
      `if test -e "$path"; then echo ${PRESENT_MARKER}; else echo ${ABSENT_MARKER}; fi`,
    ],
  };
}

export class SsmOverrideChecker implements OverrideChecker {
  readonly stats: SsmCheckStats = { sendCommand: 0, getCommandInvocation: 0 };
  private readonly timeoutMs: number;
  private readonly pollIntervalMs: number;
  private readonly sleep: (ms: number) => Promise<void>;
  private readonly now: () => number;

  constructor(
    private readonly clientFor: (region: string) => SSMClient | Promise<SSMClient>,
    opts: SsmOverrideCheckerOptions = {},
  ) {
    this.timeoutMs = opts.timeoutMs ?? 60_000;
    this.pollIntervalMs = opts.pollIntervalMs ?? 1_000;
    this.sleep = opts.sleep ?? ((ms) => new Promise((r) => setTimeout(r, ms)));
    this.now = opts.now ?? Date.now;
  }

  async check(
    region: string,
    instanceIds: string[],
    override: StopOverride,
  ): Promise<Map<string, OverrideResult>> {
    const results = new Map<string, OverrideResult>();
    const pending = new Map<string, string>(); // instanceId → commandId
    const ids = [...new Set(instanceIds)];
    for (let i = 0; i < ids.length; i += SSM_BATCH) {
      await this.send(region, ids.slice(i, i + SSM_BATCH), override, pending, results);
    }
    const deadline = this.now() + this.timeoutMs;
    // A command needs a moment to reach the agents; polling at once would only read "Pending".
    if (pending.size) await this.sleep(this.pollIntervalMs);
    while (pending.size) {
      // A few reads in flight at once: a 1,000-instance tier must answer well within a Lambda step.
      const queue = [...pending];
      for (let i = 0; i < queue.length; i += READ_CONCURRENCY) {
        await Promise.all(
          queue.slice(i, i + READ_CONCURRENCY).map(async ([instanceId, commandId]) => {
            const answer = await this.invocation(region, commandId, instanceId);
            if (answer) {
              results.set(instanceId, answer);
              pending.delete(instanceId);
            }
          }),
        );
      }
      if (!pending.size) break;
      if (this.now() >= deadline) {
        for (const id of pending.keys()) {
          results.set(id, {
            status: 'unreachable',
            detail: `no answer from SSM within ${formatDuration(this.timeoutMs / 1000)}`,
          });
        }
        break;
      }
      await this.sleep(this.pollIntervalMs);
    }
    return results;
  }

  private async send(
    region: string,
    ids: string[],
    override: StopOverride,
    pending: Map<string, string>,
    results: Map<string, OverrideResult>,
  ): Promise<void> {
    const script = overrideScript(override);
    // Outside the try: a package or client that fails to load is a broken
    // deployment, not an unreachable instance.
    const [{ SendCommandCommand }, client] = await Promise.all([loadSsmSdk(), this.clientFor(region)]);
    try {
      this.stats.sendCommand++;
      const res = await client.send(
        new SendCommandCommand({
          DocumentName: script.document,
          InstanceIds: ids,
          Parameters: { commands: script.commands },
          TimeoutSeconds: 60,
          Comment: 'Lights Out: is the stop-override file present?',
        }),
      );
      const commandId = res.Command?.CommandId;
      if (!commandId) throw new Error('SendCommand returned no CommandId');
      for (const id of ids) pending.set(id, commandId);
    } catch (err) {
      // One unmanaged instance fails the whole batch: isolate it by retrying one by one.
      if (awsErrorCode(err) === 'InvalidInstanceId' && ids.length > 1) {
        for (const id of ids) await this.send(region, [id], override, pending, results);
        return;
      }
      const code = awsErrorCode(err) ?? 'error';
      const detail =
        code === 'InvalidInstanceId'
          ? 'not managed by SSM (agent offline, no instance profile, or not running)'
          : `SendCommand failed: ${code}`;
      for (const id of ids) results.set(id, { status: 'unreachable', detail });
    }
  }

  /** Final answer for one instance, or undefined while it is still running. */
  private async invocation(
    region: string,
    commandId: string,
    instanceId: string,
  ): Promise<OverrideResult | undefined> {
    let res: GetCommandInvocationCommandOutput;
    const [{ GetCommandInvocationCommand }, client] = await Promise.all([
      loadSsmSdk(),
      this.clientFor(region),
    ]);
    try {
      this.stats.getCommandInvocation++;
      res = await awsCall(`GetCommandInvocation ${commandId} on ${instanceId}`, () =>
        client.send(new GetCommandInvocationCommand({ CommandId: commandId, InstanceId: instanceId })),
      );
    } catch (err) {
      // Right after SendCommand the invocation may not exist yet.
      if (String((err as Error).message).includes('InvocationDoesNotExist')) return undefined;
      return { status: 'unreachable', detail: (err as Error).message };
    }
    const status = res.Status ?? 'Pending';
    if (status === 'Success') {
      const out = res.StandardOutputContent ?? '';
      return { status: out.includes(PRESENT_MARKER) ? 'present' : 'absent' };
    }
    if (DONE_BAD.has(status)) {
      return {
        status: 'unreachable',
        detail: `command ${status}${res.StatusDetails ? ` (${res.StatusDetails})` : ''}`,
      };
    }
    return undefined;
  }
}
