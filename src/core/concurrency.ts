/**
 * Running independent pieces of work side by side with a bound, so one that
 * waits (a hung AWS call, until the client's timeout) never holds up the
 * others, while a large batch does not open hundreds of calls at once.
 */

/**
 * Calls `fn` for every item with at most `limit` calls in flight, and
 * settles each one: the results come back in the items' order, failures as
 * `rejected` entries, never thrown.
 */
export async function settleEach<T, R>(
  items: readonly T[],
  limit: number,
  fn: (item: T, index: number) => Promise<R>,
): Promise<PromiseSettledResult<R>[]> {
  const results: PromiseSettledResult<R>[] = new Array(items.length);
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < items.length) {
      const index = next++;
      try {
        results[index] = { status: 'fulfilled', value: await fn(items[index]!, index) };
      } catch (reason) {
        results[index] = { status: 'rejected', reason };
      }
    }
  };
  const workers = Math.max(1, Math.min(limit, items.length));
  await Promise.all(Array.from({ length: workers }, worker));
  return results;
}

/**
 * Due nags fired at once. Each waits on EC2 (the instance's current state)
 * and chat; a handful side by side keeps one hung call from delaying the
 * rest, without bursting past EC2's or Slack's rate limits when hundreds fall
 * due together.
 */
export const DUE_NAGS_AT_ONCE = 4;
