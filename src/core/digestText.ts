/**
 * How the digest's figures read, the same in the CLI, Slack and Teams:
 * money, hours, who stopped what, and the plain-text report. Values from AWS
 * or users are returned raw here; each chat renderer escapes them.
 */
import type { Cost, Digest, DigestInstance, DigestStop } from './digest.js';
import type { RunActor } from './instance.js';
import type { RunStopConsent } from './runHistory.js';

const USD = new Intl.NumberFormat('en-US', { style: 'currency', currency: 'USD' });

/** `$4.10`. */
export const formatUsd = (usd: number): string => USD.format(usd);

/** `12.5 h`: hours with one decimal, so small figures do not round to nothing. */
export const formatHours = (hours: number): string => `${hours.toFixed(1)} h`;

/**
 * `$53.20`; `$53.20 + 4.0 h at unknown price`; `unknown (4.0 h at unknown price)`.
 * An unknown price never reads as $0.
 */
export function costText(cost: Cost): string {
  if (cost.usd === null) return cost.unpricedHours > 0 ? 'unknown price' : formatUsd(0);
  const known = formatUsd(cost.usd);
  return cost.unpricedHours > 0 ? `${known} + ${formatHours(cost.unpricedHours)} at unknown price` : known;
}

/** The avoided cost of one stop: `$98.40`, or `unknown price`. */
export const avoidedText = (stop: DigestStop): string =>
  stop.avoidedUsd === null ? 'unknown price' : formatUsd(stop.avoidedUsd);

/** `slack:ana`, `cli:alice`: where a stop came from and who made it. */
export const actorText = (by: RunActor | undefined): string =>
  by ? `${by.platform}:${by.name ?? by.id}` : 'Lights Out';

/** `at 18:00, given by slack:ana`, `when idle, given by the tag AutoStop=idle:30m`. */
export function consentText(consent: RunStopConsent): string {
  const by = 'platform' in consent.by ? actorText(consent.by) : `${consent.by.source} ${consent.by.detail}`;
  return `${consent.kind === 'at' ? 'at a set time' : 'when idle'}, consent by ${by}`;
}

/** `slack:ana (consented: at a set time, consent by slack:ana)`: who stopped a run, and on whose consent. */
export const stoppedByText = (stop: DigestStop): string =>
  stop.consent ? `${actorText(stop.by)} (consented: ${consentText(stop.consent)})` : actorText(stop.by);

/** One day of the daily table: the day, the hours beyond threshold, their cost. */
export const dailyFigures = (d: Digest['daily'][number]): [string, string, string] => [
  d.day,
  formatHours(d.hoursBeyond),
  costText(d.cost),
];

/** `render-1 (i-0abc…)` or the id alone. */
export const instanceText = (i: Pick<DigestInstance, 'instanceId' | 'name'>): string =>
  i.name ? `${i.name} (${i.instanceId})` : i.instanceId;

/** `2026-11-16 to 2026-11-23 (Europe/Berlin)`: the window in the digest's own time zone. */
export function windowText(digest: Pick<Digest, 'since' | 'until' | 'timeZone'>): string {
  const day = (iso: string) =>
    new Intl.DateTimeFormat('en-CA', { timeZone: digest.timeZone, dateStyle: 'short' }).format(new Date(iso));
  return `${day(digest.since)} to ${day(digest.until)} (${digest.timeZone})`;
}

/** The one-paragraph summary every rendering opens with. */
export function summaryLines(digest: Digest): string[] {
  const t = digest.totals;
  const groups = digest.groups ? `groups ${digest.groups.join(', ')}` : 'all groups';
  return [
    `Lights Out digest, ${windowText(digest)}, ${groups}`,
    `Beyond threshold: ${digest.overThreshold.length} instance${digest.overThreshold.length === 1 ? '' : 's'}, ${formatHours(t.hoursBeyond)}, ${costText(t.cost)}`,
    `Stopped through Lights Out: ${t.stops} stop${t.stops === 1 ? '' : 's'}, ${costText(t.avoided)} avoided`,
  ];
}
