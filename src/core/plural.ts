/**
 * Counted nouns for messages: `1 instance`, `2 instances`, never
 * `1 instances` or `instance(s)`.
 */

/** `count(1, 'instance')` is `1 instance`; pass the plural when adding `s` is wrong. */
export function count(n: number, one: string, many = `${one}s`): string {
  return `${n} ${n === 1 ? one : many}`;
}
