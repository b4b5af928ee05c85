/**
 * Lambda's asynchronous invocation, in process: a hand-off queues the event
 * for the same handler on a later turn of the event loop, as a JSON round
 * trip (what Lambda delivers), and `settled()` waits until every queued
 * invocation, and any it queued in turn, has run.
 *
 *   const async = inProcessHandOff<SlackWork>();
 *   const handler = await createSlackEventsHandler(env, { handOff: async.handOff });
 *   async.attach((event) => handler(event as never, {} as Context));
 */
export interface InProcessHandOff<W> {
  handOff: (work: W) => Promise<void>;
  attach(invoke: (event: unknown) => Promise<unknown>): void;
  settled(): Promise<void>;
  /** Every piece of work handed off so far. */
  sent: W[];
}

export function inProcessHandOff<W>(): InProcessHandOff<W> {
  const pending = new Set<Promise<unknown>>();
  let invoke: ((event: unknown) => Promise<unknown>) | undefined;
  const sent: W[] = [];
  return {
    sent,
    attach(fn) {
      invoke = fn;
    },
    async handOff(work) {
      if (!invoke) throw new Error('inProcessHandOff: attach() the handler first');
      const target = invoke;
      sent.push(work);
      const event = JSON.parse(JSON.stringify({ lightsOutHandOff: { work } }));
      const run = new Promise((resolve) => setImmediate(resolve)).then(() => target(event));
      pending.add(run);
      void run.catch(() => undefined).finally(() => pending.delete(run));
    },
    async settled() {
      while (pending.size) await Promise.allSettled([...pending]);
    },
  };
}
