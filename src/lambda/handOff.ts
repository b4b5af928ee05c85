/**
 * Handing chat work on from a Lambda function to an asynchronous invocation of
 * itself. Lambda freezes a function once it has answered, so work that waits
 * on AWS cannot run after the answer in the same invocation; Slack and Teams
 * give up after 3 s. The listener acknowledges, this sends the work
 * (InvocationType Event: Lambda queues it and answers at once), and the new
 * invocation carries it out with all the time it needs.
 *
 * The work carries its request id; the chat core's request ledger makes a
 * second delivery of the same event (async invocations are at least once) a
 * no-op. Only this function may invoke itself (IAM), and an HTTP request
 * cannot look like this event: a Function URL or API Gateway wraps its body.
 */
import * as z from 'zod/mini';
import { loadLambdaClient, loadLambdaSdk } from '../aws/clients.js';
import { awsCall } from '../aws/errors.js';

export type HandOff<W> = (work: W) => Promise<void>;

/** The asynchronous invocation's event. */
export interface HandOffEvent<W> {
  lightsOutHandOff: { work: W };
}

const HandOffSchema = z.object({ lightsOutHandOff: z.object({ work: z.object({ kind: z.string() }) }) });

/** True for an event this function sent itself; its work still has to be validated by its reader. */
export function isHandOffEvent<W>(event: unknown): event is HandOffEvent<W> {
  return HandOffSchema.safeParse(event).success;
}

/**
 * Sends work to `functionName` as an asynchronous invocation. The call sits
 * between the request and its answer, so its client gets half the
 * acknowledgement budget per attempt and two attempts.
 */
export function lambdaHandOff<W>(opts: {
  functionName: string;
  region: string;
  ackBudgetMs: number;
}): HandOff<W> {
  const perAttemptMs = Math.max(250, Math.floor(opts.ackBudgetMs / 2));
  return async (work) => {
    const [{ InvokeCommand }, client] = await Promise.all([
      loadLambdaSdk(),
      loadLambdaClient(opts.region, {
        connectTimeoutMs: perAttemptMs,
        requestTimeoutMs: perAttemptMs,
        maxAttempts: 2,
      }),
    ]);
    const event: HandOffEvent<W> = { lightsOutHandOff: { work } };
    await awsCall(`Invoke ${opts.functionName} (hand-off)`, () =>
      client.send(
        new InvokeCommand({
          FunctionName: opts.functionName,
          InvocationType: 'Event',
          Payload: new TextEncoder().encode(JSON.stringify(event)),
        }),
      ),
    );
  };
}
