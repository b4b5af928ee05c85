/**
 * The digest as `lightsout report` prints it: plain-text tables (the
 * default) or CSV. In CSV an unknown price is an empty cell, never 0.
 */
import type { Digest, DigestInstance, DigestStop } from '../core/digest.js';
import {
  actorText,
  avoidedText,
  consentText,
  costText,
  dailyFigures,
  formatHours,
  instanceText,
  summaryLines,
} from '../core/digestText.js';

export function digestTable(digest: Digest): string {
  const out = [...summaryLines(digest), ''];
  out.push('Beyond threshold, costliest first');
  out.push(
    digest.overThreshold.length
      ? table(['INSTANCE', 'GROUP', 'OWNER', 'BEYOND', 'COST', 'WHY'], digest.overThreshold.map(instanceRow))
      : '  none',
  );
  out.push('', `Top ${digest.top.length || 5} by cost beyond threshold`);
  out.push(
    digest.top.length
      ? table(
          ['#', 'INSTANCE', 'OWNER', 'COST'],
          digest.top.map((i, n) => [String(n + 1), instanceText(i), i.owner ?? '-', costText(i.cost)]),
        )
      : '  none',
  );
  out.push('', 'Stopped through Lights Out');
  out.push(
    digest.stops.length
      ? table(['STOPPED', 'INSTANCE', 'BY', 'AVOIDED', 'COST AVOIDED', 'WHY'], digest.stops.map(stopRow))
      : '  none',
  );
  out.push('', 'Consented stops');
  out.push(
    digest.consented.length
      ? table(
          ['STOPPED', 'INSTANCE', 'CONSENT'],
          digest.consented.map((s) => [s.at, instanceText(s), consentText(s.consent!)]),
        )
      : '  none',
  );
  out.push('', 'Daily cost beyond threshold');
  out.push(table(['DAY', 'BEYOND', 'COST'], digest.daily.map(dailyFigures)));
  return `${out.join('\n')}\n`;
}

const instanceRow = (i: DigestInstance): string[] => [
  instanceText(i),
  i.group,
  i.owner ?? '-',
  formatHours(i.hoursBeyond),
  costText(i.cost),
  i.reason,
];

const stopRow = (s: DigestStop): string[] => [
  s.at,
  instanceText(s),
  s.consent ? `${actorText(s.by)} (consented)` : actorText(s.by),
  formatHours(s.avoidedHours),
  avoidedText(s),
  s.reason,
];

function table(header: string[], rows: string[][]): string {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
  const line = (cells: string[]) =>
    `  ${cells
      .map((c, i) => c.padEnd(widths[i]!))
      .join('  ')
      .trimEnd()}`;
  return [line(header), ...rows.map(line)].join('\n');
}

const CSV_HEADER = [
  'kind',
  'day',
  'region',
  'instance_id',
  'name',
  'group',
  'owner',
  'hours',
  'usd',
  'unpriced_hours',
  'stopped_at',
  'stopped_by',
  'consent',
  'reason',
];

/** One row per instance beyond threshold, per stop through Lights Out, and per day. */
export function digestCsv(digest: Digest): string {
  const usd = (n: number | null) => (n === null ? '' : n.toFixed(2));
  const hours = (n: number) => n.toFixed(2);
  const rows: (string | undefined)[][] = [
    ...digest.overThreshold.map((i) => [
      'beyond-threshold',
      '',
      i.region,
      i.instanceId,
      i.name,
      i.group,
      i.owner,
      hours(i.hoursBeyond),
      usd(i.cost.usd),
      hours(i.cost.unpricedHours),
      '',
      '',
      '',
      i.reason,
    ]),
    ...digest.stops.map((s) => [
      'stop',
      '',
      s.region,
      s.instanceId,
      s.name,
      s.group,
      s.owner,
      hours(s.avoidedHours),
      usd(s.avoidedUsd),
      hours(s.avoidedUsd === null ? s.avoidedHours : 0),
      s.at,
      actorText(s.by),
      s.consent ? consentText(s.consent) : '',
      s.reason,
    ]),
    ...digest.daily.map((d) => [
      'day',
      d.day,
      '',
      '',
      '',
      '',
      '',
      hours(d.hoursBeyond),
      usd(d.cost.usd),
      hours(d.cost.unpricedHours),
      '',
      '',
      '',
      '',
    ]),
  ];
  return `${[CSV_HEADER, ...rows].map((r) => r.map((c) => csvCell(c ?? '')).join(',')).join('\n')}\n`;
}

/** RFC 4180 quoting, and a leading quote on values a spreadsheet would run as a formula. */
function csvCell(value: string): string {
  const safe = /^[=+\-@\t\r]/.test(value) ? `'${value}` : value;
  return /[",\n\r]/.test(safe) ? `"${safe.replace(/"/g, '""')}"` : safe;
}
