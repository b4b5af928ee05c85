/**
 * The building blocks of every Lights Out Adaptive Card (1.5): the card
 * itself, escaped TextBlocks, times in each reader's zone, Action.Execute
 * with its verbs and data, menus with their button. Plain JSON.
 */
import type { Choice } from '../../core/message/menuChoices.js';
import type { ChatPerson, OutcomeStyle } from '../../core/message/nagMessage.js';
import { cardMarkdown } from './teamsMarkdown.js';
import type { TeamsMention } from './teamsMentions.js';

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

export function choiceSet(id: string, label: string, choices: readonly Choice[]): CardElement {
  return {
    type: 'Input.ChoiceSet',
    id,
    label,
    value: choices[0]?.value ?? '',
    choices: choices.map((c) => ({ title: c.label, value: c.value })),
  };
}

export function execute(
  title: string,
  verb: string,
  data: ActionData,
  style?: 'destructive' | 'positive',
): CardElement {
  return { type: 'Action.Execute', title, verb, data, ...(style ? { style } : {}) };
}

/** A menu with its button beside it: one row per control keeps the card short. */
export function menuRow(input: CardElement, button: CardElement): CardElement {
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
