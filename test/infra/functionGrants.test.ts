/**
 * Each function gets what its own code path calls, checked per function
 * (iamCoverage.test.ts only checks that some function has each action):
 * nag rescheduling wherever the monitor service runs, `/… workload` where
 * commands arrive, progress-message updates in workloadStep, and the IP-owner
 * checks of the cleanup hook.
 */
import { describe, expect, it } from 'vitest';
import {
  actionsOf,
  resourcesOfType,
  roleStatements,
  type Statement,
  type Synthesized,
  synthesize,
  useSynthesizedApp,
} from './synthesizedApp.js';

const s = useSynthesizedApp();

/** Role policy logical-id fragments, unambiguous (`Reconcile` alone would match CloudMapReconcile). */
const ENGINE = ['MonitoringStateChange', 'MonitoringNagDue', 'MonitoringReconcile'];
const CHAT_ENDPOINTS = ['ChatSlackEvents', 'TeamsTeamsMessages'];
const CHAT = [...CHAT_ENDPOINTS, 'ChatChatNotify'];

/** Invoke statements apart from the one for `/ec2 digest now` (sid AskDigestFunction), and that one. */
const splitDigest = (statements: Statement[]): [Statement[], Statement[]] => [
  statements.filter((st) => st.Sid !== 'AskDigestFunction'),
  statements.filter((st) => st.Sid === 'AskDigestFunction'),
];

const statementsWith = (json: Synthesized['json'], fragment: string, action: string): Statement[] =>
  roleStatements(json, fragment).filter((st) => st.Effect === 'Allow' && actionsOf(st).includes(action));

function functionEnv(json: Synthesized['json'], fragment: string): Record<string, unknown> {
  const found = resourcesOfType(json, 'AWS::Lambda::Function').find(([id]) => id.includes(fragment));
  if (!found) throw new Error(`no function matching ${fragment}`);
  return (found[1].Environment as { Variables: Record<string, unknown> }).Variables;
}

const logicalIdOf = (prefix: string): string => {
  const id = Object.keys(s.json.Resources).find((k) => k.startsWith(prefix));
  if (!id) throw new Error(`no resource starting with ${prefix}`);
  return id;
};

describe('nag schedules (one per due time, the instance’s others found by ListSchedules and deleted)', () => {
  it.each([...ENGINE, ...CHAT_ENDPOINTS, 'WorkloadsWorkloadStep'])(
    '%s may create, update, read and delete schedules in the lightsout group only',
    (fragment) => {
      // Arrange
      const actions = [
        'scheduler:CreateSchedule',
        'scheduler:UpdateSchedule',
        'scheduler:GetSchedule',
        'scheduler:DeleteSchedule',
      ];

      // Act
      const statements = actions.map((a) => statementsWith(s.json, fragment, a));

      // Assert
      for (const found of statements) {
        expect(found).toHaveLength(1);
        expect(JSON.stringify(found[0]!.Resource)).toMatch(/:schedule\/lightsout\/\*"\]\]\}$/);
      }
    },
  );

  it.each([...ENGINE, ...CHAT_ENDPOINTS, 'WorkloadsWorkloadStep'])(
    '%s may list schedules (IAM has no resource scope for ListSchedules) and pass only the scheduler role',
    (fragment) => {
      // Act
      const list = statementsWith(s.json, fragment, 'scheduler:ListSchedules');
      const passRole = statementsWith(s.json, fragment, 'iam:PassRole');

      // Assert
      expect(list).toHaveLength(1);
      expect(list[0]!.Resource).toBe('*');
      expect(actionsOf(list[0]!)).toEqual(['scheduler:ListSchedules']);
      expect(passRole).toHaveLength(1);
      expect(passRole[0]!.Resource).toEqual({ 'Fn::GetAtt': [logicalIdOf('SchedulesInvokeRole'), 'Arn'] });
    },
  );

  it('chatNotify, which only posts and rewrites messages, holds no scheduler grant and may pass no role', () => {
    // Act
    const found = [
      'scheduler:CreateSchedule',
      'scheduler:UpdateSchedule',
      'scheduler:DeleteSchedule',
      'scheduler:GetSchedule',
      'scheduler:ListSchedules',
      'iam:PassRole',
    ].flatMap((a) => statementsWith(s.json, 'ChatChatNotify', a));

    // Assert
    expect(found).toEqual([]);
  });
});

describe('workload commands where commands arrive', () => {
  it.each(CHAT_ENDPOINTS)('%s gets the step function, the spec tables and the run table', (fragment) => {
    // Act
    const env = functionEnv(s.json, fragment);
    const scan = statementsWith(s.json, fragment, 'dynamodb:Scan');
    const put = statementsWith(s.json, fragment, 'dynamodb:PutItem');

    // Assert
    expect(JSON.stringify(env.WORKLOAD_STEP_FUNCTION_ARN)).toContain(':function:LightsOut-workloadStep');
    expect(env).toMatchObject({
      WORKLOAD_SPEC_SOURCE: 'dynamodb',
      WORKLOAD_SPEC_TABLE: 'WorkloadSpecification',
      TIER_SPEC_TABLE: 'TierSpecification',
      SCHEDULE_GROUP: 'lightsout',
    });
    expect(env).toHaveProperty('SCHEDULER_ROLE_ARN');
    expect(JSON.stringify(scan.flatMap((st) => st.Resource))).toContain(':table/WorkloadSpecification');
    expect(JSON.stringify(scan.flatMap((st) => st.Resource))).toContain(':table/TierSpecification');
    expect(JSON.stringify(put[0]?.Resource)).toContain(logicalIdOf('StateTable'));
  });

  it('passes WORKLOAD_ADMINS to both command endpoints and nowhere else', () => {
    // Arrange
    const admins = 'slack:U0123ABC,teams:00000000-0000-0000-0000-0000000000aa';
    const withAdmins = synthesize({ settings: { functionEnvironment: { WORKLOAD_ADMINS: admins } } });

    // Act
    const slack = functionEnv(withAdmins.json, 'ChatSlackEvents');
    const teams = functionEnv(withAdmins.json, 'TeamsTeamsMessages');
    const notify = functionEnv(withAdmins.json, 'ChatChatNotify');
    const step = functionEnv(withAdmins.json, 'WorkloadsWorkloadStep');
    withAdmins.dispose();

    // Assert
    expect(slack.WORKLOAD_ADMINS).toBe(admins);
    expect(teams.WORKLOAD_ADMINS).toBe(admins);
    expect(notify).not.toHaveProperty('WORKLOAD_ADMINS');
    expect(step).not.toHaveProperty('WORKLOAD_ADMINS');
  });
});

describe('workloadStep keeps progress messages updated', () => {
  it('gets the Slack and Teams settings and may read both secrets', () => {
    // Act
    const env = functionEnv(s.json, 'WorkloadsWorkloadStep');
    const secrets = statementsWith(s.json, 'WorkloadsWorkloadStep', 'secretsmanager:GetSecretValue');

    // Assert
    expect(env).toMatchObject({
      SLACK_SECRET_ARN: { Ref: logicalIdOf('SecretsSlack') },
      TEAMS_SECRET_ARN: { Ref: logicalIdOf('SecretsTeams') },
      connections__serviceConnection__settings__clientId: s.settings.teamsAppId,
      connections__serviceConnection__settings__tenantId: s.settings.teamsTenantId,
      TABLE_NAME: { Ref: expect.stringMatching(/^StateTable/) },
    });
    expect(secrets.map((st) => st.Resource)).toEqual(
      expect.arrayContaining([{ Ref: logicalIdOf('SecretsSlack') }, { Ref: logicalIdOf('SecretsTeams') }]),
    );
    expect(JSON.stringify(secrets)).not.toContain(logicalIdOf('SecretsWebhook'));
  });

  it('in a Teams-only deployment gets the Teams secret and no Slack one', () => {
    // Arrange
    const teamsOnly = synthesize({ settings: { slackEnabled: false } });

    // Act
    const env = functionEnv(teamsOnly.json, 'WorkloadsWorkloadStep');
    const secrets = JSON.stringify(
      statementsWith(teamsOnly.json, 'WorkloadsWorkloadStep', 'secretsmanager:GetSecretValue'),
    );
    teamsOnly.dispose();

    // Assert
    expect(env).not.toHaveProperty('SLACK_SECRET_ARN');
    expect(env).toHaveProperty('TEAMS_SECRET_ARN');
    expect(secrets).toContain('SecretsTeams');
    expect(secrets).not.toContain('SecretsSlack');
  });
});

describe('cleanup checks who holds an IP before changing DNS', () => {
  it('lets decommission describe instances and Elastic IP addresses, in the configured regions only', () => {
    // Act
    const instances = statementsWith(s.json, 'CleanupDecommission', 'ec2:DescribeInstances');
    const addresses = statementsWith(s.json, 'CleanupDecommission', 'ec2:DescribeAddresses');

    // Assert
    expect(addresses).toHaveLength(1);
    expect(instances).toEqual(addresses);
    expect(addresses[0]!.Resource).toBe('*');
    expect(addresses[0]!.Condition).toEqual({
      StringEquals: { 'aws:RequestedRegion': ['eu-west-1', 'us-east-1'] },
    });
  });
});

describe('chat endpoints follow the configured platforms', () => {
  const handlers = (json: Synthesized['json']): string[] =>
    resourcesOfType(json, 'AWS::Lambda::Function').map(([id]) => id);

  it('deploys no Slack endpoint in a Teams-only deployment', () => {
    // Arrange
    const teamsOnly = synthesize({ settings: { slackEnabled: false } });

    // Act
    const ids = handlers(teamsOnly.json);
    const outputs = Object.keys(teamsOnly.json.Outputs ?? {});
    teamsOnly.dispose();

    // Assert
    expect(ids.some((id) => id.includes('SlackEvents'))).toBe(false);
    expect(ids.some((id) => id.includes('TeamsMessages'))).toBe(true);
    expect(ids.some((id) => id.includes('ChatNotify'))).toBe(true);
    expect(ids.some((id) => id.includes('WeeklyDigestTeamsDigest'))).toBe(true);
    expect(ids.some((id) => id.includes('WeeklyDigestFunction'))).toBe(false);
    expect(outputs).not.toContain('SlackRequestUrl');
    expect(outputs).toContain('TeamsMessagingEndpoint');
  });

  it('deploys no Teams endpoint until the bot’s App ID is set', () => {
    // Arrange
    const slackOnly = synthesize({ settings: { teamsAppId: undefined, teamsTenantId: undefined } });

    // Act
    const ids = handlers(slackOnly.json);
    const outputs = Object.keys(slackOnly.json.Outputs ?? {});
    const notifyEnv = functionEnv(slackOnly.json, 'ChatNotify');
    slackOnly.dispose();

    // Assert
    expect(ids.some((id) => id.includes('TeamsMessages'))).toBe(false);
    expect(ids.some((id) => id.includes('SlackEvents'))).toBe(true);
    expect(ids.some((id) => id.includes('WeeklyDigestFunction'))).toBe(true);
    expect(ids.some((id) => id.includes('WeeklyDigestTeamsDigest'))).toBe(false);
    expect(outputs).not.toContain('TeamsMessagingEndpoint');
    expect(outputs).toContain('SlackRequestUrl');
    expect(notifyEnv).not.toHaveProperty('TEAMS_SECRET_ARN');
  });
});

describe('hand-off of click work to an asynchronous invocation', () => {
  it('lets the Slack endpoint invoke itself and the Slack digest function, nothing else, under fixed names', () => {
    // Act
    const [invoke, digest] = splitDigest(statementsWith(s.json, 'ChatSlackEvents', 'lambda:InvokeFunction'));
    const fn = resourcesOfType(s.json, 'AWS::Lambda::Function').find(([id]) =>
      id.includes('ChatSlackEvents'),
    )!;

    // Assert
    expect(invoke).toHaveLength(1);
    expect(actionsOf(invoke[0]!)).toEqual(['lambda:InvokeFunction']);
    expect(JSON.stringify(invoke[0]!.Resource)).toMatch(/:function:LightsOut-slackEvents"\]\]\}$/);
    expect(fn[1].FunctionName).toBe('LightsOut-slackEvents');
    expect(digest).toHaveLength(1);
    expect(JSON.stringify(digest[0]!.Resource)).toMatch(/:function:LightsOut-digest"\]\]\}$/);
    expect(fn[1].Timeout).toBeGreaterThan(120);
  });

  it('lets the Teams endpoint invoke itself and the Teams digest function, nothing else, under fixed names', () => {
    // Act (the default stack has Teams on)
    const [invoke, digest] = splitDigest(statementsWith(s.json, 'TeamsMessages', 'lambda:InvokeFunction'));
    const fn = resourcesOfType(s.json, 'AWS::Lambda::Function').find(([id]) => id.includes('TeamsMessages'))!;

    // Assert
    expect(invoke).toHaveLength(1);
    expect(actionsOf(invoke[0]!)).toEqual(['lambda:InvokeFunction']);
    expect(JSON.stringify(invoke[0]!.Resource)).toMatch(/:function:LightsOut-teamsMessages"\]\]\}$/);
    expect(fn[1].FunctionName).toBe('LightsOut-teamsMessages');
    expect(digest).toHaveLength(1);
    expect(JSON.stringify(digest[0]!.Resource)).toMatch(/:function:LightsOut-teams-digest"\]\]\}$/);
  });

  it('gives the delivery function no invoke permission', () => {
    expect(statementsWith(s.json, 'ChatChatNotify', 'lambda:InvokeFunction')).toEqual([]);
  });
});

describe('idle metrics (CloudWatch has no resource-level permissions for reading metrics)', () => {
  it('lets the nag function read metrics on *, pinned to the configured regions', () => {
    const found = statementsWith(s.json, 'MonitoringNagDue', 'cloudwatch:GetMetricData');

    expect(found).toHaveLength(1);
    expect(found[0]!.Resource).toBe('*');
    expect(actionsOf(found[0]!).sort()).toEqual(['cloudwatch:GetMetricData', 'cloudwatch:ListMetrics']);
    expect(found[0]!.Condition).toEqual({ StringEquals: { 'aws:RequestedRegion': expect.any(Array) } });
  });

  it('lets the idle check read metrics the same way and stop only monitored instances, every 5 minutes', () => {
    const metrics = statementsWith(s.json, 'MonitoringIdleCheck', 'cloudwatch:GetMetricData');
    const stop = statementsWith(s.json, 'MonitoringIdleCheck', 'ec2:StopInstances');
    const rule = resourcesOfType(s.json, 'AWS::Events::Rule').find(([id]) => id.includes('IdleCheckRule'));

    expect(metrics).toHaveLength(1);
    expect(metrics[0]!.Resource).toBe('*');
    expect(stop).toHaveLength(1);
    expect(JSON.stringify(stop[0]!.Condition)).toContain('aws:ResourceTag/Monitor');
    expect(rule?.[1].ScheduleExpression).toBe('rate(5 minutes)');
  });

  it.each(['MonitoringStateChange', 'MonitoringReconcile', 'MonitoringConsentStop', ...CHAT])(
    '%s reads no metrics',
    (fragment) => {
      const actions = roleStatements(s.json, fragment).flatMap(actionsOf);

      expect(actions.filter((a) => a.startsWith('cloudwatch:'))).toEqual([]);
    },
  );
});

describe('the weekly digest functions (one per chat platform)', () => {
  const functionNamed = (fragment: string) =>
    resourcesOfType(s.json, 'AWS::Lambda::Function').find(([id]) => id.includes(fragment))![1];

  it('runs both hourly from one rule', () => {
    // Act
    const rules = resourcesOfType(s.json, 'AWS::Events::Rule').filter(([id]) => id.includes('DigestRule'));

    // Assert
    expect(rules).toHaveLength(1);
    expect(rules[0]![1].ScheduleExpression).toBe('rate(1 hour)');
    expect(JSON.stringify(rules[0]![1].Targets)).toContain('ChatWeeklyDigestFunction');
    expect(JSON.stringify(rules[0]![1].Targets)).toContain('ChatWeeklyDigestTeamsDigest');
  });

  it.each([
    ['ChatWeeklyDigest', 'LightsOut-digest', 'SLACK_SECRET_ARN', 'TEAMS_SECRET_ARN'],
    ['ChatWeeklyDigestTeamsDigest', 'LightsOut-teams-digest', 'TEAMS_SECRET_ARN', 'SLACK_SECRET_ARN'],
  ])(
    '%s may read and write the table and read its own platform’s secret, and nothing else',
    (fragment, name, own, other) => {
      // Act
      const statements = roleStatements(s.json, fragment).filter((st) => st.Effect === 'Allow');
      const actions = statements.flatMap(actionsOf);
      const env = functionEnv(s.json, fragment);

      // Assert
      expect(actions.some((a) => a.startsWith('dynamodb:'))).toBe(true);
      expect(actions).toContain('secretsmanager:GetSecretValue');
      expect(actions.filter((a) => /^(ec2|lambda|scheduler|sns):/.test(a))).toEqual([]);
      expect(env).toMatchObject({ TABLE_NAME: expect.anything(), [own]: expect.anything() });
      expect(env).not.toHaveProperty(other);
      expect(functionNamed(`${fragment}Function`).FunctionName).toBe(name);
    },
  );

  it('gives each chat endpoint its own platform’s digest function to ask for /ec2 digest now', () => {
    expect(JSON.stringify(functionEnv(s.json, 'ChatSlackEvents').DIGEST_FUNCTION_ARN)).toMatch(
      /:function:LightsOut-digest"/,
    );
    expect(JSON.stringify(functionEnv(s.json, 'TeamsMessages').DIGEST_FUNCTION_ARN)).toMatch(
      /:function:LightsOut-teams-digest"/,
    );
    expect(functionEnv(s.json, 'ChatChatNotify').DIGEST_FUNCTION_ARN).toBeUndefined();
  });
});
