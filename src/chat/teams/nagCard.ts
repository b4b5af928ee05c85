/**
 * The neutral NagMessage as an Adaptive Card 1.5, the Teams twin of the Slack
 * Block Kit message: the same facts, outcome and controls. Buttons are
 * `Action.Execute` (Universal Actions) so Teams sends an `adaptiveCard/action`
 * invoke and shows the card we answer with. Plain JSON: no botbuilder here.
 */
import { formatDuration } from '../../core/duration.js';
import {
  type ConsentWarning,
  consentCancelledText,
  consentText,
  consentWarningText,
  warningActions,
} from '../../core/message/consentMessage.js';
import type { Choice } from '../../core/message/menuChoices.js';
import {
  type ChatPerson,
  costLine,
  headline,
  idleEvidenceLine,
  instanceLabel,
  type NagMessage,
  type OutcomeStyle,
  outcomeText,
  STOP_PROTECTED_NOTE,
  showsStopProtected,
} from '../../core/message/nagMessage.js';
import { clampCard } from './teamsLimits.js';
import { cardMarkdown } from './teamsMarkdown.js';
import { type TeamsMention, teamsMentions } from './teamsMentions.js';

export type CardElement = Record<string, unknown>;
export interface AdaptiveCard {
  type: 'AdaptiveCard';
  $schema: string;
  version: '1.5';
  body: CardElement[];
  actions?: CardElement[];
  /** `entities`: the mentions of `<at>…</at>` spans in the card's text, which make Teams notify them. */
  msteams?: { width: 'Full'; entities?: TeamsMention[] };
}

export const ADAPTIVE_CARD_CONTENT_TYPE = 'application/vnd.microsoft.card.adaptive';

/** The `verb` of every Action.Execute the bot renders; the invoke handler switches on it. */
export const VERBS = {
  stop: 'lightsout.stop',
  hibernate: 'lightsout.hibernate',
  snooze: 'lightsout.snooze',
  extend: 'lightsout.extend',
  /** "Stop at…": the menu's choice, or the Input.Time's pick (any other time). */
  stopAt: 'lightsout.stopAt',
  stopAtTime: 'lightsout.stopAtTime',
  stopWhenIdle: 'lightsout.stopWhenIdle',
  cancelStop: 'lightsout.cancelStop',
  postponeStop: 'lightsout.postponeStop',
} as const;
/** Input ids; Teams merges input values into the action's data on submit. */
export const INPUTS = {
  snooze: 'snoozeChoice',
  extend: 'extendChoice',
  stopAt: 'stopAtChoice',
  stopAtTime: 'stopAtTime',
} as const;
const STOP_CONFIRM_ID = 'stopConfirm';
const HIBERNATE_CONFIRM_ID = 'hibernateConfirm';

/** Data every button carries: the run token (see runToken.ts) and, for Stop, the confirmation. */
export interface ActionData {
  token: string;
  confirmed?: boolean;
  /** Cancel or +1h pressed on a warning reply (the clicked card is that reply, not the nag). */
  warningReply?: boolean;
}

export function card(body: CardElement[], actions?: CardElement[]): AdaptiveCard {
  return {
    type: 'AdaptiveCard',
    $schema: 'http://adaptivecards.io/schemas/adaptive-card.json',
    version: '1.5',
    body,
    ...(actions?.length ? { actions } : {}),
    msteams: { width: 'Full' },
  };
}

/** A TextBlock showing neutral text (values from AWS or people included) exactly as written. */
export const text = (value: string, extra: CardElement = {}): CardElement =>
  markup(cardMarkdown(value), extra);

/** A TextBlock of markdown the renderer composed itself; every value inside must be `cardMarkdown`-escaped. */
export const markup = (markdown: string, extra: CardElement = {}): CardElement => ({
  type: 'TextBlock',
  text: markdown,
  wrap: true,
  ...extra,
});

/**
 * Day and time, rendered by Teams in each reader's own time zone
 * (`{{DATE()}}`/`{{TIME()}}` want RFC 3339 without millis). Always with the
 * day: Teams cannot say "today", and a bare clock could mean tomorrow.
 */
export function localDateTime(iso: string): string {
  const t = new Date(iso).toISOString().replace(/\.\d{3}Z$/, 'Z');
  return `{{DATE(${t}, SHORT)}} {{TIME(${t})}}`;
}

export const teamsOutcomeStyle: OutcomeStyle = {
  person: (p: ChatPerson) => p.name ?? 'someone',
  time: localDateTime,
};

export type NoticeTone = 'info' | 'warning' | 'error';

/** A banner on top of a card: what just happened, for the person who clicked (and whoever looks). */
export function noticeBlock(notice: string, tone: NoticeTone): CardElement {
  const style = tone === 'error' ? 'attention' : tone === 'warning' ? 'warning' : 'emphasis';
  return { type: 'Container', style, items: [text(notice, { weight: 'Bolder' })] };
}

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

function choiceSet(id: string, label: string, choices: readonly Choice[]): CardElement {
  return {
    type: 'Input.ChoiceSet',
    id,
    label,
    value: choices[0]?.value ?? '',
    choices: choices.map((c) => ({ title: c.label, value: c.value })),
  };
}

function execute(
  title: string,
  verb: string,
  data: ActionData,
  style?: 'destructive' | 'positive',
): CardElement {
  return { type: 'Action.Execute', title, verb, data, ...(style ? { style } : {}) };
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

/** A menu with its button beside it: one row per control keeps the card short. */
function menuRow(input: CardElement, button: CardElement): CardElement {
  return {
    type: 'ColumnSet',
    columns: [
      { type: 'Column', width: 'stretch', items: [input] },
      {
        type: 'Column',
        width: 'auto',
        verticalContentAlignment: 'Bottom',
        items: [{ type: 'ActionSet', actions: [button] }],
      },
    ],
  };
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

/**
 * "Stop at…" (a menu, and an Input.Time for any other time, each with its
 * button) and "Stop when idle", where the deployment offers them.
 */
function stopLaterControls(m: NagMessage): CardElement[] {
  const out: CardElement[] = [];
  if (m.stopAtChoices?.length) {
    out.push(
      menuRow(
        choiceSet(INPUTS.stopAt, 'Stop at…', m.stopAtChoices),
        execute('Stop then', VERBS.stopAt, { token: m.token }),
      ),
      menuRow(
        { type: 'Input.Time', id: INPUTS.stopAtTime, label: 'Or stop at this time (yours)', value: '19:00' },
        execute('Stop at this time', VERBS.stopAtTime, { token: m.token }),
      ),
    );
  }
  if (m.stopWhenIdle) {
    out.push({
      type: 'ActionSet',
      actions: [
        execute(`Stop when idle (${formatDuration(m.stopWhenIdle.forSeconds)})`, VERBS.stopWhenIdle, {
          token: m.token,
        }),
      ],
    });
  }
  return out;
}

/** Cancel (and +1h for a stop at a time) on a scheduled stop, on the nag or under its warning. */
function consentButtons(
  token: string,
  a: { cancel: boolean; postpone: boolean },
  warningReply = false,
): CardElement {
  const data = { token, ...(warningReply ? { warningReply: true } : {}) };
  return {
    type: 'ActionSet',
    actions: [
      ...(a.cancel ? [execute('Cancel stop', VERBS.cancelStop, data)] : []),
      ...(a.postpone ? [execute('+1h', VERBS.postponeStop, data)] : []),
    ],
  };
}

/**
 * The warning reply ten minutes before a consented stop (or once an idle
 * run's window is full), with Cancel and +1h: the time in each reader's zone,
 * every value escaped by `text()`.
 */
export function renderWarningCard(w: ConsentWarning): AdaptiveCard {
  return clampCard(
    card([text(consentWarningText(w, teamsOutcomeStyle)), consentButtons(w.token, warningActions(w), true)]),
  );
}

/** What a warning reply turns into once acted on: what was done, and no buttons. */
export function renderNoticeCard(notice: string): AdaptiveCard {
  return card([text(notice)]);
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
