/**
 * The `DnsRecords` tag: which Route53 records belong to an instance, written
 * `zoneId:name[,zoneId:name…]`, e.g. `Z0123ABC:web-1.internal,Z0456DEF:web-1.example.com`.
 * Pure: bad entries become warnings that name the entry and the expected form;
 * the good entries are still used.
 */

export const DNS_RECORDS_TAG = 'DnsRecords';

export interface DnsRecordRef {
  zoneId: string;
  /** Fully qualified, lower-case, with the trailing dot Route53 uses. */
  name: string;
}

export interface DnsRecordsTagParse {
  refs: DnsRecordRef[];
  warnings: string[];
}

// Route53 zone ids are upper-case letters and digits (AWS ones start with Z; emulators differ).
const ZONE_ID_RE = /^[A-Z0-9]{1,32}$/;
// Labels of letters, digits, hyphens and underscores (SRV/DKIM style); `*` only as the first label.
const LABEL_RE = /^(?:\*|[a-z0-9_](?:[a-z0-9_-]{0,61}[a-z0-9_])?)$/;

/** `/hostedzone/Z123` and `z123` both become `Z123`. */
export function normalizeZoneId(zoneId: string): string {
  return zoneId
    .trim()
    .replace(/^\/?hostedzone\//i, '')
    .toUpperCase();
}

/** `Web-1.Internal` → `web-1.internal.`; Route53 escapes `*` as `\052` in listings. */
export function normalizeRecordName(name: string): string {
  const lower = name.trim().toLowerCase().replace(/\\052/g, '*');
  return lower.endsWith('.') ? lower : `${lower}.`;
}

function validName(fqdn: string): boolean {
  if (fqdn.length > 254) return false;
  const labels = fqdn.slice(0, -1).split('.');
  return labels.length >= 1 && labels.every((l, i) => LABEL_RE.test(l) && (l !== '*' || i === 0));
}

/** Parses the tag value; an absent or empty tag yields no refs and no warnings. */
export function parseDnsRecordsTag(value: string | undefined): DnsRecordsTagParse {
  const refs: DnsRecordRef[] = [];
  const warnings: string[] = [];
  if (value === undefined || value.trim() === '') return { refs, warnings };
  const seen = new Set<string>();
  for (const raw of value.split(',')) {
    const entry = raw.trim();
    if (entry === '') continue;
    const colon = entry.indexOf(':');
    if (colon <= 0 || colon === entry.length - 1) {
      warnings.push(
        `${DNS_RECORDS_TAG} entry "${entry}" is not zoneId:name (example: Z0123456789ABC:web-1.internal); ignored`,
      );
      continue;
    }
    const zoneId = normalizeZoneId(entry.slice(0, colon));
    const name = normalizeRecordName(entry.slice(colon + 1));
    if (!ZONE_ID_RE.test(zoneId)) {
      warnings.push(
        `${DNS_RECORDS_TAG} entry "${entry}": "${entry.slice(0, colon)}" is not a hosted zone id (they look like Z0123456789ABC); ignored`,
      );
      continue;
    }
    if (!validName(name)) {
      warnings.push(
        `${DNS_RECORDS_TAG} entry "${entry}": "${entry.slice(colon + 1)}" is not a DNS name (example: web-1.internal); ignored`,
      );
      continue;
    }
    const key = `${zoneId}:${name}`;
    if (seen.has(key)) continue;
    seen.add(key);
    refs.push({ zoneId, name });
  }
  return { refs, warnings };
}
