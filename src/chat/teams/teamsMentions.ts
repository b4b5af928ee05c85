/**
 * Teams mentions of an escalation target: a tag (`mentioned.type: 'tag'`) or
 * people by Entra object id, each as `<at>name</at>` in the text plus a
 * mention entity, which is what makes Teams notify them. Slack-only targets
 * (`@here`, user groups, `U…` users) mean nothing here and are left out.
 */
import type { EscalationTarget } from '../../core/nagRouting.js';

export type TeamsMention = {
  type: 'mention';
  text: string;
  mentioned: { id: string; name: string; type?: 'tag' | 'person' };
};

/** Teams mentions people by Entra object id or by Teams user id (`29:…`). */
const TEAMS_USER = /^(?:29|8):|^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** The `<at>…</at>` text and the entities for `targets`; empty when none applies to Teams. */
export function teamsMentions(targets: readonly EscalationTarget[] = []): {
  text: string;
  entities: TeamsMention[];
} {
  const entities: TeamsMention[] = [];
  for (const t of targets) {
    if (t.kind === 'tag') {
      const name = safeName(t.name ?? 'tag');
      entities.push({
        type: 'mention',
        text: `<at>${name}</at>`,
        mentioned: { id: t.id, name, type: 'tag' },
      });
    } else if (t.kind === 'user' && TEAMS_USER.test(t.id)) {
      const name = safeName(t.name ?? 'on call');
      entities.push({ type: 'mention', text: `<at>${name}</at>`, mentioned: { id: t.id, name } });
    }
  }
  return { text: entities.map((e) => e.text).join(' '), entities };
}

/** A mention's display text is markup-free: it sits inside `<at>…</at>`. */
function safeName(name: string): string {
  return name.replace(/[<>&\\[\]*_`]/g, '').slice(0, 80) || 'someone';
}
