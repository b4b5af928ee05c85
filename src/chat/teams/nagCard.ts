/**
 * The neutral NagMessage as an Adaptive Card 1.5, the Teams twin of the Slack
 * Block Kit message: the same facts, outcome and controls. Buttons are
 * `Action.Execute` (Universal Actions) so Teams sends an `adaptiveCard/action`
 * invoke and shows the card we answer with. Plain JSON: no botbuilder here.
 */
import { formatDuration } from '../../core/duration.js';
import { consentCancelledText, consentText } from '../../core/message/consentMessage.js';
import {
  costLine,
  headline,
  idleEvidenceLine,
  instanceLabel,
  type NagMessage,
  outcomeText,
  STOP_PROTECTED_NOTE,
  showsStopProtected,
} from '../../core/message/nagMessage.js';
import {
  type AdaptiveCard,
  type CardElement,
  card,
  choiceSet,
  execute,
  INPUTS,
  localDateTime,
  menuRow,
  type NoticeTone,
  noticeBlock,
  teamsOutcomeStyle,
  text,
  VERBS,
} from './cardParts.js';
import { consentButtons, stopLaterControls } from './consentCard.js';
import { clampCard } from './teamsLimits.js';
import { cardMarkdown } from './teamsMarkdown.js';
import { teamsMentions } from './teamsMentions.js';

// The card's building blocks, where the rest of the Teams code has always found them.
export {
  type ActionData,
  ADAPTIVE_CARD_CONTENT_TYPE,
  type AdaptiveCard,
  type CardElement,
  card,
  INPUTS,
  localDateTime,
  markup,
  type NoticeTone,
  noticeBlock,
  teamsOutcomeStyle,
  text,
  VERBS,
} from './cardParts.js';
export { renderNoticeCard, renderWarningCard } from './consentCard.js';

const STOP_CONFIRM_ID = 'stopConfirm';
const HIBERNATE_CONFIRM_ID = 'hibernateConfirm';

function facts(m: NagMessage): CardElement {
  const f = m.facts;
  const rows: [string, string | undefined][] = [
    ['Instance', instanceLabel(f)],
    ['Type', f.instanceType],
    ['Region', f.availabilityZone ? `${f.region} (${f.availabilityZone})` : f.region],
    ['Account', f.account],
    ['Group', f.group],
    ['Running for', formatDuration(f.runtimeSeconds)],
    ['Threshold', formatDuration(f.thresholdSeconds)],
    ['Cost', costLine(f)],
    ['Launched', localDateTime(f.launchTime)],
    ['Reminders', f.nagCount > 0 ? String(f.nagCount) : undefined],
  ];
  return {
    type: 'FactSet',
    facts: rows
      .filter((r): r is [string, string] => !!r[1])
      .map(([title, value]) => ({ title, value: cardMarkdown(value) })),
  };
}

/**
 * Stop asks first, inside the card: the Stop button only reveals a hidden
 * confirmation (client-side, for the clicker alone); its "Yes, stop it" sends
 * the invoke, flagged `confirmed`.
 */
function stopControls(m: NagMessage): CardElement[] {
  return [
    {
      type: 'ActionSet',
      actions: [{ type: 'Action.ToggleVisibility', title: 'Stop…', targetElements: [STOP_CONFIRM_ID] }],
    },
    stopConfirmation(m, false),
  ];
}

function stopConfirmation(m: NagMessage, visible: boolean): CardElement {
  return {
    type: 'Container',
    id: STOP_CONFIRM_ID,
    ...(visible ? {} : { isVisible: false }),
    style: 'warning',
    items: [
      text(`Stop ${instanceLabel(m.facts)} now? Whatever runs on it stops with it.`, { weight: 'Bolder' }),
      {
        type: 'ActionSet',
        actions: [
          execute('Yes, stop it', VERBS.stop, { token: m.token, confirmed: true }, 'destructive'),
          { type: 'Action.ToggleVisibility', title: 'Cancel', targetElements: [STOP_CONFIRM_ID] },
        ],
      },
    ],
  };
}

/**
 * Hibernate asks first the same way as Stop; offered only where hibernation
 * is configured (the memory is saved and restored at the next start).
 */
function hibernateControls(m: NagMessage): CardElement[] {
  return [
    {
      type: 'ActionSet',
      actions: [
        { type: 'Action.ToggleVisibility', title: 'Hibernate…', targetElements: [HIBERNATE_CONFIRM_ID] },
      ],
    },
    {
      type: 'Container',
      id: HIBERNATE_CONFIRM_ID,
      isVisible: false,
      style: 'warning',
      items: [
        text(`Hibernate ${instanceLabel(m.facts)} now? Its memory is saved and restored at the next start.`, {
          weight: 'Bolder',
        }),
        {
          type: 'ActionSet',
          actions: [
            execute('Yes, hibernate it', VERBS.hibernate, { token: m.token, confirmed: true }, 'destructive'),
            { type: 'Action.ToggleVisibility', title: 'Cancel', targetElements: [HIBERNATE_CONFIRM_ID] },
          ],
        },
      ],
    },
  ];
}

function controls(m: NagMessage, opts: { confirmStop?: boolean }): CardElement[] {
  const out: CardElement[] = [];
  if (m.actions.stop) out.push(...(opts.confirmStop ? [stopConfirmation(m, true)] : stopControls(m)));
  if (m.actions.hibernate && !opts.confirmStop) out.push(...hibernateControls(m));
  if (showsStopProtected(m)) out.push(text(`🔒 ${STOP_PROTECTED_NOTE}`, { isSubtle: true }));
  out.push(...stopLaterControls(m));
  if (m.consentActions) out.push(consentButtons(m.token, m.consentActions));
  if (m.actions.snooze) {
    out.push(
      menuRow(
        choiceSet(INPUTS.snooze, 'Snooze the nags', m.snoozeChoices),
        execute('Snooze', VERBS.snooze, { token: m.token }),
      ),
    );
  }
  if (m.actions.extend) {
    out.push(
      menuRow(
        choiceSet(INPUTS.extend, "Extend this run's threshold", m.extendChoices),
        execute('Extend', VERBS.extend, { token: m.token }),
      ),
    );
  }
  return out;
}

export interface NagCardOptions {
  /** Shown above the facts: the reply to a click or command. */
  notice?: { text: string; tone: NoticeTone };
  /** An introduction line (e.g. `status` notes). */
  intro?: string;
  /** Show the Stop confirmation already open (a Stop invoke that arrived unconfirmed). */
  confirmStop?: boolean;
}

/** The nag card for `m`; the outcome, when there is one, replaces the buttons that no longer apply. */
export function renderNagCard(m: NagMessage, opts: NagCardOptions = {}): AdaptiveCard {
  const body: CardElement[] = [];
  if (opts.notice) body.push(noticeBlock(opts.notice.text, opts.notice.tone));
  const over = !m.outcome || m.outcome.kind === 'snoozed' || m.outcome.kind === 'extended';
  body.push(
    text(over ? headline({ ...m, outcome: undefined }) : instanceLabel(m.facts), {
      size: 'Medium',
      weight: 'Bolder',
    }),
  );
  if (m.outcome) {
    const ended = !over;
    body.push(
      text(outcomeText(m.outcome, teamsOutcomeStyle, 'teams'), {
        color: ended ? 'Good' : 'Accent',
        weight: 'Bolder',
      }),
    );
  }
  if (opts.intro) body.push(text(opts.intro, { isSubtle: true }));
  body.push(facts(m));
  const evidence = idleEvidenceLine(m.facts);
  if (evidence && over) body.push(text(`📊 ${evidence}`, { isSubtle: true, size: 'Small' }));
  for (const w of m.facts.warnings) body.push(text(`⚠ ${w}`, { color: 'Warning', size: 'Small' }));
  // The stop consented for later, in each reader's zone (escaped by text(), like every value from people or AWS).
  if (m.consent && over)
    body.push(text(`⏰ ${consentText(m.consent, teamsOutcomeStyle)}`, { isSubtle: true }));
  else if (m.consentCancelled && over)
    body.push(text(`🚫 ${consentCancelledText(m.consentCancelled, teamsOutcomeStyle)}`, { isSubtle: true }));
  body.push(...controls(m, { confirmStop: opts.confirmStop }));
  // An escalated nag posted anew names its group's escalation target (tags, people).
  const mentions = m.outcome ? undefined : teamsMentions(m.mention);
  if (mentions?.entities.length) {
    // Raw text on purpose: `<at>` must reach Teams as is; the names in it are markup-free (teamsMentions).
    body.unshift({
      type: 'TextBlock',
      text: `${mentions.text} still running past its threshold`,
      wrap: true,
    });
  }
  const rendered = card(body, [
    { type: 'Action.OpenUrl', title: 'Open in EC2 console', url: m.facts.consoleUrl },
  ]);
  if (mentions?.entities.length) rendered.msteams = { width: 'Full', entities: mentions.entities };
  return clampCard(rendered);
}
