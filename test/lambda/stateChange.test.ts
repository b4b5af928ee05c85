import { describe, expect, it } from 'vitest';
import { ValidationError } from '../../src/core/errors.js';
import { stateChangeHandler } from '../../src/lambda/stateChange.js';
import { createLogger } from '../../src/log.js';
import type { StateChangeInput, StateChangeResult } from '../../src/services/monitor/api.js';
import { ec2StateChangeEvent, sqsEvent, sqsRecord } from '../support/lambdaEvents.js';

/** A monitor whose service fails the changes of one instance and records every call. */
function monitorFailing(instanceId: string) {
  const calls: StateChangeInput[][] = [];
  const service = {
    async handleStateChanges(inputs: StateChangeInput[]): Promise<StateChangeResult[]> {
      calls.push(inputs);
      return inputs.map((input) =>
        input.instanceId === instanceId
          ? { input, error: new ValidationError('EC2 did not answer') }
          : { input },
      );
    },
    async handleStateChange(): Promise<void> {},
  };
  return { calls, monitor: () => ({ service, log: createLogger('test', 'ERROR') }) };
}

describe('stateChange handler, SQS batch', () => {
  it('reports only the failed message in batchItemFailures; the others are acknowledged', async () => {
    // Arrange
    const { calls, monitor } = monitorFailing('i-0000000000000000b');
    const handler = stateChangeHandler(monitor);
    const event = sqsEvent(
      sqsRecord('m1', ec2StateChangeEvent('i-0000000000000000a', 'running', '2026-12-01T10:00:02Z')),
      sqsRecord('m2', ec2StateChangeEvent('i-0000000000000000b', 'running', '2026-12-01T10:00:01Z')),
      sqsRecord('m3', 'not json'),
      sqsRecord('m4', ec2StateChangeEvent('i-0000000000000000c', 'stopped', '2026-12-01T10:00:03Z')),
    );

    // Act
    const result = await handler(event);

    // Assert: m2 is retried; m1 and m4 were applied and m3 dropped, so all three are acknowledged
    expect(result).toEqual({ batchItemFailures: [{ itemIdentifier: 'm2' }] });
    // ...and the three well-formed changes went to the service in one call, so one DescribeInstances serves them
    expect(calls).toHaveLength(1);
    expect(calls[0]?.map((i) => i.instanceId)).toEqual([
      'i-0000000000000000a',
      'i-0000000000000000b',
      'i-0000000000000000c',
    ]);
  });

  it('reports every message when the whole batch fails, without failing the invocation', async () => {
    const service = {
      handleStateChanges: async (): Promise<StateChangeResult[]> => Promise.reject(new Error('store down')),
      handleStateChange: async () => {},
    };
    const handler = stateChangeHandler(() => ({ service, log: createLogger('test', 'ERROR') }));

    const result = await handler(
      sqsEvent(
        sqsRecord('m1', ec2StateChangeEvent('i-0000000000000000a', 'running')),
        sqsRecord('m2', ec2StateChangeEvent('i-0000000000000000b', 'running')),
      ),
    );

    expect(result).toEqual({ batchItemFailures: [{ itemIdentifier: 'm1' }, { itemIdentifier: 'm2' }] });
  });

  it('acknowledges a batch of malformed messages without calling the service', async () => {
    const { calls, monitor } = monitorFailing('i-none');

    const result = await stateChangeHandler(monitor)(
      sqsEvent(sqsRecord('m1', { source: 'aws.ec2' }), sqsRecord('m2', '{')),
    );

    expect(result).toEqual({ batchItemFailures: [] });
    expect(calls).toEqual([]);
  });
});
