/**
 * Offline Adaptive Card validation with Microsoft's own parser (the
 * `adaptivecards` package, as hosts use it). No JSON schema for 1.5 ships on
 * npm, so the parser is the reference: a card is valid when
 *   - it parses for target version 1.5 with no parse events (unknown element
 *     or action types, bad enum values, features newer than 1.5),
 *   - validateProperties() reports nothing (duplicate ids, missing required
 *     properties, ToggleVisibility targets that do not exist, …), and
 *   - serializing it back gives the same JSON: a property the parser does not
 *     know (a typo, a wrong level) is dropped and shows up as a difference.
 */
import { createRequire } from 'node:module';
import { isDeepStrictEqual } from 'node:util';

// The package's ESM build imports extension-less paths that Node cannot load; its bundle works.
const AC = createRequire(import.meta.url)(
  'adaptivecards/dist/adaptivecards.min.js',
) as typeof import('adaptivecards');

/** Host extensions Teams reads that are not part of the card schema. */
const HOST_EXTENSIONS = ['msteams'];

export function adaptiveCardProblems(card: unknown): string[] {
  const problems: string[] = [];
  if (typeof card !== 'object' || card === null) return ['card is not an object'];
  const json = card as Record<string, unknown>;
  if (json.type !== 'AdaptiveCard') problems.push(`type is ${String(json.type)}, not AdaptiveCard`);
  if (json.version !== '1.5') problems.push(`version is ${String(json.version)}, not 1.5`);

  const parsed = new AC.AdaptiveCard();
  const ctx = new AC.SerializationContext(AC.Versions.v1_5);
  parsed.parse(json, ctx);
  for (let i = 0; i < ctx.eventCount; i++) problems.push(`parse: ${ctx.getEventAt(i).message}`);
  for (const e of parsed.validateProperties().validationEvents) problems.push(`validate: ${e.message}`);

  const expected = { ...json };
  for (const key of HOST_EXTENSIONS) delete expected[key];
  const roundTrip = parsed.toJSON(new AC.SerializationContext(AC.Versions.v1_5));
  diff(expected, roundTrip, '', problems);
  return problems;
}

function diff(expected: unknown, actual: unknown, path: string, out: string[]): void {
  if (isDeepStrictEqual(expected, actual)) return;
  if (Array.isArray(expected) && Array.isArray(actual) && expected.length === actual.length) {
    expected.forEach((e, i) => {
      diff(e, actual[i], `${path}[${i}]`, out);
    });
    return;
  }
  if (isObject(expected) && isObject(actual)) {
    for (const key of new Set([...Object.keys(expected), ...Object.keys(actual)])) {
      if (!(key in actual))
        out.push(`${path}.${key} is not an Adaptive Card 1.5 property here (the parser dropped it)`);
      else if (!(key in expected))
        out.push(`${path}.${key} was added by the parser (${JSON.stringify(actual[key])})`);
      else diff(expected[key], actual[key], `${path}.${key}`, out);
    }
    return;
  }
  out.push(`${path || '/'}: ${JSON.stringify(expected)} reads back as ${JSON.stringify(actual)}`);
}

const isObject = (v: unknown): v is Record<string, unknown> =>
  typeof v === 'object' && v !== null && !Array.isArray(v);

/** Every Adaptive Card in an activity's attachments. */
export function cardsOf(activity: Record<string, unknown>): unknown[] {
  const attachments = (activity.attachments ?? []) as { contentType?: string; content?: unknown }[];
  return attachments
    .filter((a) => a.contentType === 'application/vnd.microsoft.card.adaptive')
    .map((a) => a.content);
}
