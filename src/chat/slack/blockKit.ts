/**
 * Block Kit rendering of the neutral nag message. Buttons and menus carry the
 * run token in the actions block's `block_id`, so option values stay short
 * (Slack caps them at 150 characters) and every click names its run.
 */
import type { types } from '@slack/bolt';
import { formatDuration } from '../../core/duration.js';
import {
  type ConsentWarning,
  consentCancelledText,
  consentText,
  consentWarningText,
  warningActions,
} from '../../core/message/consentMessage.js';
import {
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
import { formatDayTimeUtc } from '../../core/when.js';
import { esc, escalationMentions, link, mention } from './mrkdwn.js';

export const ACTION = {
  stop: 'lightsout.stop',
  hibernate: 'lightsout.hibernate',
  snooze: 'lightsout.snooze',
  extend: 'lightsout.extend',
  console: 'lightsout.console',
  /** "Stop at…": the menu (`in-2h`, `at-19:00`) and the time picker (any `HH:MM`). */
  stopAt: 'lightsout.stopAt',
  stopAtTime: 'lightsout.stopAtTime',
  stopWhenIdle: 'lightsout.stopWhenIdle',
  cancelStop: 'lightsout.cancelStop',
  postponeStop: 'lightsout.postponeStop',
} as const;

/** The `value` of Cancel and +1h under a warning reply: the clicked message is that reply, not the nag. */
export const WARNING_REPLY = 'warning';

export type SlackBlock = types.KnownBlock | types.Block;

/** Slack-only menu entry: opens a modal with a time picker (see snoozeModal.ts). */
export const SNOOZE_CUSTOM = 'custom';
const SNOOZE_CUSTOM_CHOICE = { value: SNOOZE_CUSTOM, label: 'Until a time…' };

export { esc } from './mrkdwn.js';

/** `<!date^…>` renders in each reader's own time zone; the fallback is UTC. */
export function slackDate(iso: string, format = '{date_short_pretty} {time}'): string {
  const epoch = Math.floor(Date.parse(iso) / 1000);
  return `<!date^${epoch}^${format}|${formatDayTimeUtc(new Date(iso))}>`;
}

export const slackOutcomeStyle: OutcomeStyle = {
  person: (p) => (p.platform === 'slack' ? mention(p.id, p.name ?? p.id) : esc(p.name ?? p.id)),
  time: (iso) => slackDate(iso),
};

/** Notification/fallback text: what phones and screen readers show. Slack reads it as mrkdwn too. */
export function nagText(m: NagMessage): string {
  const mentions = m.mention?.length && !m.outcome ? escalationMentions(m.mention) : '';
  return (
    (mentions ? `${mentions} ` : '') +
    esc(
      m.outcome
        ? `${instanceLabel(m.facts)}: ${outcomeText(m.outcome, { person: (p) => `@${p.name ?? p.id}`, time: (t) => formatDayTimeUtc(new Date(t)) }, 'slack')}`
        : headline(m),
    )
  );
}

export function nagBlocks(m: NagMessage): SlackBlock[] {
  const f = m.facts;
  const name = `${link(f.consoleUrl, f.name ?? f.instanceId)}${f.name ? ` \`${esc(f.instanceId)}\`` : ''}`;
  const over = f.runtimeSeconds >= f.thresholdSeconds;
  const lead = m.outcome
    ? `${ended(m) ? ':white_check_mark:' : ':hourglass_flowing_sand:'} *${name}*`
    : `${over ? ':rotating_light:' : ':hourglass_flowing_sand:'} *${name}* has been running *${formatDuration(f.runtimeSeconds)}* (threshold ${formatDuration(f.thresholdSeconds)})`;
  const blocks: SlackBlock[] = [
    { type: 'section', text: { type: 'mrkdwn', text: lead } },
    {
      type: 'section',
      fields: [
        field('Runtime', formatDuration(f.runtimeSeconds)),
        field('Threshold', formatDuration(f.thresholdSeconds)),
        field('Type', esc(f.instanceType ?? 'unknown')),
        field('Where', esc(`${f.availabilityZone ?? f.region}${f.account ? ` · ${f.account}` : ''}`)),
        field('Group', `\`${esc(f.group)}\``),
        field('Reminders', String(f.nagCount)),
        field('Launched', slackDate(f.launchTime)),
        field('Cost', esc(costLine(f))),
      ],
    },
  ];
  blocks.push(...idleEvidenceBlocks(m));
  const escalation = escalationBlock(m);
  if (escalation) blocks.unshift(escalation);
  if (f.warnings.length) {
    blocks.push({
      type: 'context',
      elements: f.warnings.slice(0, 9).map((w) => ({ type: 'mrkdwn', text: `:warning: ${esc(w)}` })),
    });
  }
  if (m.outcome) {
    blocks.push({
      type: 'context',
      elements: [{ type: 'mrkdwn', text: outcomeText(m.outcome, slackOutcomeStyle, 'slack') }],
    });
  }
  if (showsStopProtected(m)) {
    blocks.push({
      type: 'context',
      elements: [{ type: 'mrkdwn', text: `:lock: ${esc(STOP_PROTECTED_NOTE)}` }],
    });
  }
  blocks.push(...consentBlocks(m));
  blocks.push(actionsBlock(m));
  return blocks;
}

/**
 * The stop consented for later, while the run is live: "Stop scheduled for …
 * by @ana", its time in each reader's zone; or who cancelled the last one.
 */
function consentBlocks(m: NagMessage): SlackBlock[] {
  if (ended(m)) return [];
  const line = m.consent
    ? `:alarm_clock: ${consentText(m.consent, slackOutcomeStyle, esc)}`
    : m.consentCancelled
      ? `:no_entry_sign: ${consentCancelledText(m.consentCancelled, slackOutcomeStyle)}`
      : undefined;
  return line ? [{ type: 'context', elements: [{ type: 'mrkdwn', text: line }] }] : [];
}

/**
 * The warning in a nag's thread ten minutes before a consented stop (or once
 * an idle run's window is full), with Cancel and +1h under it: the time in
 * each reader's zone, names escaped; `text` stays the plain UTC fallback.
 */
export function warningBlocks(w: ConsentWarning): SlackBlock[] {
  return [
    { type: 'section', text: { type: 'mrkdwn', text: consentWarningText(w, slackOutcomeStyle, esc) } },
    {
      type: 'actions',
      block_id: w.token,
      elements: consentButtons(warningActions(w), WARNING_REPLY),
    } as SlackBlock,
  ];
}

/** Cancel and +1h on a scheduled stop; `value` tells a warning reply from the nag. */
function consentButtons(a: { cancel: boolean; postpone: boolean }, value = 'nag'): unknown[] {
  return [
    ...(a.cancel
      ? [
          {
            type: 'button',
            action_id: ACTION.cancelStop,
            text: { type: 'plain_text', text: 'Cancel stop' },
            value,
          },
        ]
      : []),
    ...(a.postpone
      ? [
          {
            type: 'button',
            action_id: ACTION.postponeStop,
            text: { type: 'plain_text', text: '+1h' },
            value,
          },
        ]
      : []),
  ];
}

/** "Stop at…" (menu and time picker) and "Stop when idle", where the deployment offers them. */
function stopLaterElements(m: NagMessage): unknown[] {
  const out: unknown[] = [];
  if (m.stopAtChoices?.length) {
    out.push(select(ACTION.stopAt, 'Stop at…', m.stopAtChoices));
    out.push({
      type: 'timepicker',
      action_id: ACTION.stopAtTime,
      placeholder: { type: 'plain_text', text: 'Stop at another time' },
    });
  }
  if (m.stopWhenIdle) {
    out.push({
      type: 'button',
      action_id: ACTION.stopWhenIdle,
      text: { type: 'plain_text', text: `Stop when idle (${formatDuration(m.stopWhenIdle.forSeconds)})` },
      value: String(m.stopWhenIdle.forSeconds),
    });
  }
  return out;
}

/** The idle evidence as a context line; only while the run is live, since it describes the run now. */
function idleEvidenceBlocks(m: NagMessage): SlackBlock[] {
  const line = idleEvidenceLine(m.facts);
  if (!line || ended(m)) return [];
  return [{ type: 'context', elements: [{ type: 'mrkdwn', text: `:bar_chart: ${esc(line)}` }] }];
}

/** An escalated nag posted anew leads with its mentions, so they notify (edits never do). */
function escalationBlock(m: NagMessage): SlackBlock | undefined {
  const mentions = m.mention?.length && !m.outcome ? escalationMentions(m.mention) : '';
  if (!mentions) return undefined;
  return { type: 'section', text: { type: 'mrkdwn', text: `${mentions} still running past its threshold` } };
}

function ended(m: NagMessage): boolean {
  return !m.actions.stop && !m.actions.snooze && !m.actions.extend;
}

function field(label: string, value: string) {
  return { type: 'mrkdwn' as const, text: `*${label}*\n${value}` };
}

function actionsBlock(m: NagMessage): SlackBlock {
  const elements: unknown[] = [];
  const label = esc(m.facts.name ?? m.facts.instanceId);
  if (m.actions.stop) {
    elements.push({
      type: 'button',
      action_id: ACTION.stop,
      style: 'danger',
      text: { type: 'plain_text', text: 'Stop' },
      value: 'stop',
      confirm: {
        title: { type: 'plain_text', text: 'Stop this instance?' },
        text: {
          type: 'mrkdwn',
          text: `Stop *${label}* (\`${esc(m.facts.instanceId)}\`) now? Anything running on it ends.`,
        },
        confirm: { type: 'plain_text', text: 'Stop it' },
        deny: { type: 'plain_text', text: 'Cancel' },
        style: 'danger',
      },
    });
  }
  if (m.actions.hibernate) elements.push(hibernateButton(m, label));
  elements.push(...stopLaterElements(m));
  if (m.consentActions && !ended(m)) elements.push(...consentButtons(m.consentActions));
  if (m.actions.snooze) {
    elements.push(select(ACTION.snooze, 'Snooze…', [...m.snoozeChoices, SNOOZE_CUSTOM_CHOICE]));
  }
  if (m.actions.extend) {
    elements.push(select(ACTION.extend, 'Extend…', m.extendChoices));
  }
  elements.push({
    type: 'button',
    action_id: ACTION.console,
    text: { type: 'plain_text', text: 'Open in console' },
    url: m.facts.consoleUrl,
  });
  return { type: 'actions', block_id: m.token, elements } as SlackBlock;
}

/** Shown only where hibernation is configured: RAM is saved to the root volume, so work resumes on start. */
function hibernateButton(m: NagMessage, label: string) {
  return {
    type: 'button',
    action_id: ACTION.hibernate,
    text: { type: 'plain_text', text: 'Hibernate' },
    value: 'hibernate',
    confirm: {
      title: { type: 'plain_text', text: 'Hibernate this instance?' },
      text: {
        type: 'mrkdwn',
        text: `Hibernate *${label}* (\`${esc(m.facts.instanceId)}\`) now? Its memory is saved and restored at the next start.`,
      },
      confirm: { type: 'plain_text', text: 'Hibernate it' },
      deny: { type: 'plain_text', text: 'Cancel' },
    },
  };
}

function select(actionId: string, placeholder: string, choices: readonly { value: string; label: string }[]) {
  return {
    type: 'static_select',
    action_id: actionId,
    placeholder: { type: 'plain_text', text: placeholder },
    options: choices.map((c) => ({ text: { type: 'plain_text', text: c.label }, value: c.value })),
  };
}
