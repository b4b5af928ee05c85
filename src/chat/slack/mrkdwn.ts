/**
 * The one place Slack markup is made. Every value that came from AWS (tags,
 * ids, types) or from a person (command text, display names, spec files)
 * passes through `esc` before it is put into a `text` field, a mrkdwn block,
 * a modal or the App Home; the only `<…>` sequences in a message are the ones
 * built here around escaped values. So a Name tag such as
 * `<!channel> <https://evil.example|log in>` shows as typed and neither
 * notifies a channel nor becomes a link.
 */
import type { EscalationTarget } from '../../core/nagRouting.js';

/** Escapes the three characters Slack mrkdwn treats as control characters. */
export function esc(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

/** A mention of a Slack user id; anything that is not a user id is shown as escaped text. */
export function mention(userId: string, fallback: string): string {
  return /^[UW][A-Z0-9]{2,20}$/.test(userId) ? `<@${userId}>` : esc(fallback);
}

/**
 * Mentions of an escalation target: `<!here>`, a user group `<!subteam^S…>`,
 * users `<@U…>`. Ids are checked here again, so a stored value that is not an
 * id is shown as escaped text; Teams tags mean nothing in Slack and are left out.
 */
export function escalationMentions(targets: readonly EscalationTarget[]): string {
  return targets
    .map((t) => {
      if (t.kind === 'here') return '<!here>';
      if (t.kind === 'user-group')
        return /^S[A-Z0-9]{2,20}$/.test(t.id) ? `<!subteam^${t.id}>` : esc(t.name ?? t.id);
      if (t.kind === 'user') return mention(t.id, t.name ?? t.id);
      return '';
    })
    .filter(Boolean)
    .join(' ');
}

/** A link with an escaped label; the URL is escaped too, and a `|` in it could not start a label. */
export function link(url: string, label: string): string {
  return `<${esc(url).replaceAll('|', '%7C')}|${esc(label)}>`;
}

/** A channel link; a stored id that is not a Slack channel id is shown as escaped text. */
export function channelLink(channelId: string): string {
  return /^[CGD][A-Z0-9]{2,20}$/.test(channelId) ? `<#${channelId}>` : esc(channelId);
}
