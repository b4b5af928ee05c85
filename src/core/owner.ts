/**
 * Who owns an instance, read from its `Owner` tag (the key is configurable:
 * OWNER_TAG). Pure and forgiving like the tag policy: a malformed value is a
 * warning that travels with the instance, never an error.
 *
 * The tag holds one of:
 * - an email address (`alice@example.com`): looked up on each platform that
 *   routes nags to owners (Slack `users.lookupByEmail`, a Teams member by
 *   email or UPN);
 * - a Slack user id (`U0123ABC`, `W0123ABC`): Slack only;
 * - a Teams user: `teams:<UPN or email>`, or an Entra object id (a GUID): Teams only.
 *   A bare UPN reads as an email, which Teams matches on UPN as well.
 */
import { quoted } from './quote.js';

export const DEFAULT_OWNER_TAG = 'Owner';

export type OwnerKind = 'email' | 'slack-user' | 'teams-user';

export interface Owner {
  kind: OwnerKind;
  /** Lower-cased email or UPN, a Slack user id, or an Entra object id. */
  value: string;
}

export type OwnerRead = { owner?: Owner; warning?: string };

const SLACK_USER = /^[UW][A-Z0-9]{6,}$/;
// Deliberately loose: one @, a dot in the domain, no spaces. The platform lookup is the real check.
const EMAIL = /^[^\s@<>"]+@[^\s@<>"]+\.[^\s@<>"]+$/;
const GUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** Parses one Owner tag value; absent or empty means no owner and no warning. */
export function parseOwner(raw: string | undefined, tagKey = DEFAULT_OWNER_TAG): OwnerRead {
  const value = raw?.trim();
  if (!value) return {};
  if (SLACK_USER.test(value)) return { owner: { kind: 'slack-user', value } };
  if (GUID.test(value)) return { owner: { kind: 'teams-user', value: value.toLowerCase() } };
  const teams = /^teams:(.+)$/i.exec(value);
  if (teams) {
    const user = teams[1]!.trim();
    if (EMAIL.test(user) || GUID.test(user))
      return { owner: { kind: 'teams-user', value: user.toLowerCase() } };
  } else if (EMAIL.test(value)) {
    return { owner: { kind: 'email', value: value.toLowerCase() } };
  }
  return {
    warning:
      `${tagKey} ${quoted(raw!)} is not an email, a Slack user id (U…) or a Teams user ` +
      '(teams:<UPN>); nags go to the channel',
  };
}

/** Reads the owner from an instance's tags under `tagKey`. */
export function ownerFromTags(tags: Record<string, string>, tagKey = DEFAULT_OWNER_TAG): OwnerRead {
  return parseOwner(tags[tagKey], tagKey);
}

/** How the owner is named in plain text (logs, warnings): `alice@example.com`, `U0123ABC`, `teams:bob@example.com`. */
export function ownerLabel(owner: Owner): string {
  return owner.kind === 'teams-user' ? `teams:${owner.value}` : owner.value;
}

/**
 * Whether `owner` names the person with these identities (their chat user id
 * and, when known, their email or UPN). Emails compare without case.
 */
export function ownedBy(owner: Owner, person: { userIds: string[]; emails: string[] }): boolean {
  const emails = person.emails.map((e) => e.toLowerCase());
  if (owner.kind === 'slack-user') return person.userIds.includes(owner.value);
  if (owner.kind === 'teams-user' && GUID.test(owner.value))
    return person.userIds.some((id) => id.toLowerCase() === owner.value);
  return emails.includes(owner.value);
}
