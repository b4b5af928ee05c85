import { describe, expect, it } from 'vitest';
import { resourcesOfType, synthesize } from './synthesizedApp.js';

describe('engine-only stack', () => {
  it('synthesizes with just the monitoring functions and a scheduler role for the nag and consent functions alone', () => {
    // Act
    const s = synthesize({ features: ['monitoring'] });
    const functions = resourcesOfType(s.json, 'AWS::Lambda::Function');
    const invoke = JSON.stringify(
      resourcesOfType(s.json, 'AWS::IAM::Policy').find(([id]) => id.startsWith('SchedulesInvokeRole'))![1],
    );
    const outputs = Object.keys(s.json.Outputs ?? {});
    s.dispose();

    // Assert
    // stateChange, nagDue, consentStop, idleCheck, reconcile, outboxStream.
    expect(functions).toHaveLength(6);
    expect(invoke).toContain('LightsOut-nagDue');
    expect(invoke).toContain('LightsOut-consentStop');
    expect(invoke).not.toContain('workloadStep');
    // A rate rule invokes the idle check, not a schedule.
    expect(invoke).not.toContain('idleCheck');
    expect(outputs).not.toContain('SlackRequestUrl');
  });
});
