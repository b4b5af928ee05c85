/**
 * Consented stops on AWS, as IAM grants them (docs/stopping-later.md, "Who
 * makes the schedule on Lambda"): the command endpoints make the stop
 * schedules themselves with the group-scoped grants they hold for nags, so no
 * function gains an invoke of consentStop; only the functions whose code makes
 * or cancels schedules may write them, and only in the Lights Out group;
 * only the nag function (idle evidence) and the idle check read CloudWatch.
 */
import { describe, expect, it } from 'vitest';
import { actionsOf, resourcesOfType, type Statement, useSynthesizedApp } from './synthesizedApp.js';

const s = useSynthesizedApp();

/** Every Allow statement of every role policy, with the policy's logical id. */
const allStatements = (): [string, Statement][] =>
  resourcesOfType(s.json, 'AWS::IAM::Policy').flatMap(([id, p]) =>
    (p.PolicyDocument as { Statement: Statement[] }).Statement.filter((st) => st.Effect === 'Allow').map(
      (st): [string, Statement] => [id, st],
    ),
  );

const SCHEDULE_WRITES = ['scheduler:CreateSchedule', 'scheduler:UpdateSchedule', 'scheduler:DeleteSchedule'];

/** Role policies whose code makes or cancels nag, stop or workload schedules. */
const MAKE_SCHEDULES = [
  'MonitoringStateChange',
  'MonitoringNagDue',
  'MonitoringReconcile',
  'MonitoringConsentStop',
  'MonitoringIdleCheck',
  'ChatSlackEvents',
  'TeamsTeamsMessages',
  'WorkloadsWorkloadStep',
];

describe('consented stops: who may make and cancel schedules', () => {
  it('only the functions that make or cancel schedules may write them, each only in the lightsout group', () => {
    // Act
    const writers = allStatements().filter(([, st]) =>
      actionsOf(st).some((a) => SCHEDULE_WRITES.includes(a)),
    );

    // Assert
    const holders = new Set(writers.map(([id]) => MAKE_SCHEDULES.find((f) => id.includes(f)) ?? id));
    expect([...holders].sort()).toEqual([...MAKE_SCHEDULES].sort());
    for (const [, st] of writers) {
      expect(JSON.stringify(st.Resource)).toMatch(/:schedule\/lightsout\/\*"\]\]\}$/);
    }
  });

  it('the command endpoints know the consent function and may not invoke it: its schedules do, through the scheduler role', () => {
    // Arrange
    const fn = (fragment: string) =>
      resourcesOfType(s.json, 'AWS::Lambda::Function').find(([id]) => id.includes(fragment))![1];
    const envOf = (fragment: string) =>
      (fn(fragment).Environment as { Variables: Record<string, unknown> }).Variables;

    // Act
    const invokers = allStatements().filter(
      ([, st]) =>
        actionsOf(st).includes('lambda:InvokeFunction') &&
        JSON.stringify(st.Resource).includes('consentStop'),
    );

    // Assert
    for (const endpoint of ['ChatSlackEvents', 'TeamsTeamsMessages']) {
      // Their `--when-idle` answer names when the first check comes: the idle rule's rate.
      expect(envOf(endpoint).IDLE_CHECK_EVERY).toBe('5m');
      expect(JSON.stringify(envOf(endpoint).CONSENT_FUNCTION_ARN)).toContain(
        ':function:LightsOut-consentStop',
      );
      expect(envOf(endpoint).SCHEDULER_ROLE_ARN).toEqual({
        'Fn::GetAtt': [expect.stringMatching(/^SchedulesInvokeRole/), 'Arn'],
      });
    }
    expect(invokers.map(([id]) => id)).toEqual([expect.stringMatching(/^SchedulesInvokeRole/)]);
  });

  it('only the nag function and the idle check read CloudWatch, with GetMetricData and ListMetrics alone', () => {
    // Act
    const readers = allStatements().filter(([, st]) =>
      actionsOf(st).some((a) => a.startsWith('cloudwatch:')),
    );

    // Assert
    expect(
      readers
        .map(([id]) =>
          id.includes('MonitoringNagDue') ? 'nagDue' : id.includes('MonitoringIdleCheck') ? 'idleCheck' : id,
        )
        .sort(),
    ).toEqual(['idleCheck', 'nagDue']);
    for (const [, st] of readers) {
      expect(actionsOf(st).sort()).toEqual(['cloudwatch:GetMetricData', 'cloudwatch:ListMetrics']);
      expect(st.Condition).toEqual({ StringEquals: { 'aws:RequestedRegion': expect.any(Array) } });
    }
  });
});
