/**
 * A compact, platform-neutral reference to one run of one instance in one
 * group, carried by buttons and menus (Slack `block_id`, Teams card data).
 * A click only ever acts on the run it was rendered for.
 */
import type { RunRef } from '../instance.js';

export interface RunTarget extends RunRef {
  /** The MonitorGroup the message was posted for; authorization checks it. */
  group: string;
}

const PREFIX = 'lo1';

/** `lo1|us-east-1|i-0abc…|2026-11-21T04:00:00.000Z|web`: at most ~100 characters. */
export function encodeRunToken(t: RunTarget): string {
  return [PREFIX, t.region, t.instanceId, t.launchTime, t.group].join('|');
}

export function decodeRunToken(token: string): RunTarget | undefined {
  const parts = token.split('|');
  if (parts.length !== 5 || parts[0] !== PREFIX) return undefined;
  const [, region, instanceId, launchTime, group] = parts as [string, string, string, string, string];
  if (!/^[a-z]{2}(-[a-z]+)+-\d$/.test(region) || !/^i-[0-9a-f]{8,17}$/.test(instanceId)) return undefined;
  if (Number.isNaN(Date.parse(launchTime)) || group === '') return undefined;
  return { region, instanceId, launchTime, group };
}

/** Launch times from EC2, the store and tokens may differ in millisecond formatting. */
export function sameLaunch(a: string, b: string): boolean {
  return Math.floor(Date.parse(a) / 1000) === Math.floor(Date.parse(b) / 1000);
}
