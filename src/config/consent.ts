/** Settings of consented stops ("Stop at…", the AutoStop tag), shared by both runtimes. */
import { HOUR, MINUTE } from '../core/duration.js';
import { DEFAULT_AUTOSTOP_TAG, STOP_WARNING_SECONDS } from '../core/stopConsent.js';
import { isValidTimeZone } from '../core/when.js';
import type { EnvReader } from './env.js';

export interface ConsentConfig {
  /** Key of the standing-consent tag (`AutoStop=at:19:00`, `AutoStop=idle:30m`). */
  autoStopTag: string;
  /** IANA zone of groups' clock times (the AutoStop tag; chat when the person's zone is unknown). */
  stopTimeZone: string;
  /** Per-group zones, overriding `stopTimeZone`. */
  groupTimeZones: Record<string, string>;
  /** How long before a consented stop the warning goes out. */
  stopWarningSeconds: number;
}

export function readConsentConfig(r: EnvReader): ConsentConfig {
  const zone = (name: string, value: string): string | undefined => {
    if (isValidTimeZone(value)) return value;
    r.problems.push(`${name} must be an IANA time zone such as Europe/Lisbon; got "${value}"`);
    return undefined;
  };
  const groupTimeZones: Record<string, string> = {};
  for (const entry of r.list('GROUP_TIME_ZONES')) {
    const m = /^([a-z0-9]{1,64})=(.+)$/.exec(entry);
    if (!m) {
      r.problems.push(
        `GROUP_TIME_ZONES must look like "web=Europe/Lisbon,gpu=America/New_York"; got "${entry}"`,
      );
      continue;
    }
    const z = zone('GROUP_TIME_ZONES', m[2]!);
    if (z) groupTimeZones[m[1]!] = z;
  }
  return {
    autoStopTag: r.matching('AUTOSTOP_TAG', /^[\w.:/=+\-@ ]{1,128}$/, 'an EC2 tag key', DEFAULT_AUTOSTOP_TAG),
    stopTimeZone: zone('STOP_TIME_ZONE', r.string('STOP_TIME_ZONE', 'UTC')) ?? 'UTC',
    groupTimeZones,
    stopWarningSeconds: r.duration('STOP_WARNING', STOP_WARNING_SECONDS, {
      minSeconds: MINUTE,
      maxSeconds: HOUR,
      bareUnit: 'm',
    }),
  };
}
