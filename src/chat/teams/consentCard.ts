/**
 * The consent controls of a Teams nag card ("Stop at…" with its menu and
 * Input.Time, "Stop when idle", Cancel and +1h) and the warning reply's card.
 * Shown only as the message allows (see consentMessage.ts); every value is
 * escaped by `text()`, times render in each reader's zone.
 */
import { formatDuration } from '../../core/duration.js';
import {
  type ConsentWarning,
  consentWarningText,
  warningActions,
} from '../../core/message/consentMessage.js';
import type { NagMessage } from '../../core/message/nagMessage.js';
import {
  type AdaptiveCard,
  type CardElement,
  card,
  choiceSet,
  execute,
  INPUTS,
  menuRow,
  teamsOutcomeStyle,
  text,
  VERBS,
} from './cardParts.js';
import { clampCard } from './teamsLimits.js';

/**
 * "Stop at…" (a menu, and an Input.Time for any other time, each with its
 * button) and "Stop when idle", where the deployment offers them.
 */
export function stopLaterControls(m: NagMessage): CardElement[] {
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
export function consentButtons(
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
