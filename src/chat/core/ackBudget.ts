/**
 * Answering a chat request within its budget. Slack gives up after 3 s and
 * Teams shows an error soon after, while the work behind an answer may wait
 * on AWS (throttled, failing or hung until the client timeouts). The
 * platforms race the work against the budget: in time, the answer is the
 * result; late, they answer with an interim reply and deliver the result
 * when it comes (single process) or hand the work on (Lambda).
 */

/** What a platform says when the real answer is not ready within the budget. */
export const WORKING_ON_IT = 'Working on it… the answer follows here shortly.';

/**
 * `{ value }` of `work` if it settles within `budgetMs`, else undefined. A
 * rejection within the budget is rethrown; one after it is left to whoever
 * keeps `work` (so it never goes unhandled here).
 */
export async function withinBudget<T>(work: Promise<T>, budgetMs: number): Promise<{ value: T } | undefined> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<undefined>((resolve) => {
    timer = setTimeout(() => resolve(undefined), budgetMs);
  });
  try {
    return await Promise.race([work.then((value) => ({ value })), late]);
  } finally {
    clearTimeout(timer);
  }
}

/**
 * How long to wait for the work inline. When the work would be handed on
 * (Lambda), the hand-off itself must fit in the same budget, so only half of
 * it is spent waiting.
 */
export function inlineBudgetMs(ackBudgetMs: number, handsOff: boolean): number {
  return handsOff ? Math.floor(ackBudgetMs / 2) : ackBudgetMs;
}
