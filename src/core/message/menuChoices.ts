/**
 * The Snooze and Extend menus: the same choices on every platform. Values are
 * short strings that fit any platform's option value; the chat core resolves
 * them at click time, in the clicker's own time zone (`src/chat/core/choices.ts`).
 */

export interface Choice {
  /** Stable value carried by the button/menu option, e.g. `4h`, `tomorrow-09:00`. */
  value: string;
  label: string;
}

export const SNOOZE_CHOICES: readonly Choice[] = [
  { value: '1h', label: 'Snooze 1 hour' },
  { value: '4h', label: 'Snooze 4 hours' },
  { value: 'tomorrow-09:00', label: 'Until 09:00 tomorrow' },
];

export const EXTEND_CHOICES: readonly Choice[] = [
  { value: '2h', label: '+2h' },
  { value: '4h', label: '+4h' },
  { value: '8h', label: '+8h' },
  { value: '24h', label: '+24h' },
];

/**
 * The "Stop at…" menu: relative times, and evening clock times resolved at
 * click time in the clicker's zone (next occurrence), like "Until 09:00
 * tomorrow". Slack adds a time picker, Teams an Input.Time, for any other time.
 */
export const STOP_AT_CHOICES: readonly Choice[] = [
  { value: 'in-1h', label: 'In 1 hour' },
  { value: 'in-2h', label: 'In 2 hours' },
  { value: 'in-4h', label: 'In 4 hours' },
  { value: 'at-18:00', label: 'At 18:00' },
  { value: 'at-19:00', label: 'At 19:00' },
  { value: 'at-20:00', label: 'At 20:00' },
  { value: 'at-22:00', label: 'At 22:00' },
];
