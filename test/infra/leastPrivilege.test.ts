/**
 * What the stack lets each function do: topic publishers and keys, and the
 * IAM conditions on stop/start/modify/send-command, Route 53 and Cloud Map.
 */
import { Match } from 'aws-cdk-lib/assertions';
import { describe, expect, it } from 'vitest';
import {
  actionsOf,
  resourcesOfType,
  roleStatements,
  type Statement,
  synthesize,
  useSynthesizedApp,
} from './synthesizedApp.js';

const s = useSynthesizedApp();

const statementsWith = (fragment: string, action: string): Statement[] =>
  roleStatements(s.json, fragment).filter((st) => actionsOf(st).includes(action));

describe('nag topic', () => {
  it('is encrypted with a customer-managed key', () => {
    s.template.hasResourceProperties('AWS::SNS::Topic', {
      DisplayName: 'Lights Out nags',
      KmsMasterKeyId: { 'Fn::GetAtt': [Match.stringLikeRegexp('^NagKey'), 'Arn'] },
    });
  });

  it('lets only the nag function publish', () => {
    s.template.hasResourceProperties('AWS::SNS::TopicPolicy', {
      Topics: [{ Ref: Match.stringLikeRegexp('^NagTopic') }],
      PolicyDocument: {
        Statement: Match.arrayWith([
          Match.objectLike({
            Sid: 'AllowNamedPublishers',
            Effect: 'Allow',
            Action: 'sns:Publish',
            Principal: { AWS: { 'Fn::GetAtt': [Match.stringLikeRegexp('NagDueRole'), 'Arn'] } },
          }),
          Match.objectLike({
            Sid: 'DenyEveryOtherPublisher',
            Effect: 'Deny',
            Action: 'sns:Publish',
            Principal: { AWS: '*' },
            Condition: {
              ArnNotEquals: {
                'aws:PrincipalArn': [{ 'Fn::GetAtt': [Match.stringLikeRegexp('NagDueRole'), 'Arn'] }],
              },
            },
          }),
        ]),
      },
    });
  });

  it('has a key policy that lets only the nag function use the key, via SNS', () => {
    // Arrange
    const [, key] = resourcesOfType(s.json, 'AWS::KMS::Key').find(([id]) => id.startsWith('NagKey'))!;
    const statements = (key.KeyPolicy as { Statement: Statement[] }).Statement;

    // Assert
    const users = statements.filter((st) =>
      actionsOf(st).some((a) => a === 'kms:Decrypt' || a.startsWith('kms:GenerateDataKey')),
    );
    expect(users).toHaveLength(1);
    expect(JSON.stringify(users[0]!.Principal)).toMatch(/NagDueRole/);
    expect(users[0]!.Condition).toEqual({ StringEquals: { 'kms:ViaService': expect.anything() } });
    const admin = statements.find((st) => st.Sid === 'AccountAdministersButCannotUseKey')!;
    expect(actionsOf(admin)).not.toContain('kms:*');
    expect(actionsOf(admin).filter((a) => /Encrypt|Decrypt|GenerateDataKey/.test(a))).toEqual([]);
    expect(key.EnableKeyRotation).toBe(true);
  });

  it('delivers to the chat function with a dead-letter queue', () => {
    s.template.hasResourceProperties('AWS::SNS::Subscription', {
      Protocol: 'lambda',
      TopicArn: { Ref: Match.stringLikeRegexp('^NagTopic') },
      Endpoint: { 'Fn::GetAtt': [Match.stringLikeRegexp('ChatNotifyFunction'), 'Arn'] },
      RedrivePolicy: {
        deadLetterTargetArn: { 'Fn::GetAtt': [Match.stringLikeRegexp('NagDeliveryDlq'), 'Arn'] },
      },
    });
  });

  it('delivers only terminations to decommission, with a dead-letter queue', () => {
    s.template.hasResourceProperties('AWS::SNS::Subscription', {
      Endpoint: { 'Fn::GetAtt': [Match.stringLikeRegexp('DecommissionFunction'), 'Arn'] },
      FilterPolicy: { Event: ['instance.terminated'] },
      RedrivePolicy: Match.anyValue(),
    });
  });
});

describe('least privilege', () => {
  it('stops only instances tagged Monitor=true (opt-in) or carrying the workload tag', () => {
    // Arrange
    const chatStop = statementsWith('SlackEvents', 'ec2:StopInstances');
    const consentedStop = statementsWith('ConsentStop', 'ec2:StopInstances');
    const workloadStop = statementsWith('WorkloadStep', 'ec2:StopInstances');

    // Assert
    expect(chatStop).toHaveLength(1);
    expect(chatStop[0]!.Condition).toEqual({ StringEqualsIgnoreCase: { 'aws:ResourceTag/Monitor': 'true' } });
    // A consented stop (the consent function) is held to the same condition as the Stop button.
    expect(consentedStop).toHaveLength(1);
    expect(consentedStop[0]!.Condition).toEqual(chatStop[0]!.Condition);
    expect(workloadStop).toHaveLength(1);
    expect(workloadStop[0]!.Condition).toEqual({ StringLike: { 'aws:ResourceTag/lightsout:workload': '*' } });
    const everyStop = resourcesOfType(s.json, 'AWS::IAM::Policy').flatMap(([, p]) =>
      (p.PolicyDocument as { Statement: Statement[] }).Statement.filter((st) =>
        actionsOf(st).includes('ec2:StopInstances'),
      ),
    );
    for (const st of everyStop) expect(st.Condition).toBeDefined();
  });

  it('in opt-out mode stops anything not tagged Monitor=false', () => {
    // Arrange
    const optOut = synthesize({ settings: { monitorMode: 'opt-out' }, features: ['monitoring', 'chat'] });

    // Act
    const stop = roleStatements(optOut.json, 'SlackEvents').filter((st) =>
      actionsOf(st).includes('ec2:StopInstances'),
    );
    optOut.dispose();

    // Assert
    expect(stop[0]!.Condition).toEqual({ StringNotEqualsIgnoreCase: { 'aws:ResourceTag/Monitor': 'false' } });
  });

  it('starts and modifies only instances carrying the workload tag', () => {
    for (const action of ['ec2:StartInstances', 'ec2:ModifyInstanceAttribute']) {
      const all = resourcesOfType(s.json, 'AWS::IAM::Policy').flatMap(([, p]) =>
        (p.PolicyDocument as { Statement: Statement[] }).Statement.filter((st) =>
          actionsOf(st).includes(action),
        ),
      );
      expect(all).toHaveLength(1);
      expect(all[0]!.Condition).toEqual({ StringLike: { 'aws:ResourceTag/lightsout:workload': '*' } });
      expect(JSON.stringify(all[0]!.Resource)).toContain(':instance/*');
    }
  });

  it('sends commands only with the run-script documents and only to workload instances', () => {
    // Arrange
    const send = statementsWith('WorkloadStep', 'ssm:SendCommand');
    const documents = send.find((st) => JSON.stringify(st.Resource).includes(':document/'))!;
    const instances = send.find((st) => JSON.stringify(st.Resource).includes(':instance/'))!;

    // Assert
    expect(send).toHaveLength(2);
    const docNames = JSON.stringify(documents.Resource).match(/document\/[\w-]+/g);
    expect(new Set(docNames)).toEqual(
      new Set(['document/AWS-RunShellScript', 'document/AWS-RunPowerShellScript']),
    );
    expect(instances.Condition).toEqual({ StringLike: { 'ssm:resourceTag/lightsout:workload': '*' } });
    expect(statementsWith('SlackEvents', 'ssm:SendCommand')).toHaveLength(0);
  });

  it('puts Describe* on * only, pinned to the configured regions', () => {
    expect(statementsWith('Decommission', 'ec2:DescribeAddresses')).toHaveLength(1);
    expect(statementsWith('StateChange', 'ec2:DescribeAddresses')).toHaveLength(0);
    const describe = statementsWith('StateChange', 'ec2:DescribeInstances');
    expect(describe[0]!.Resource).toBe('*');
    expect(describe[0]!.Condition).toEqual({
      StringEquals: { 'aws:RequestedRegion': ['eu-west-1', 'us-east-1'] },
    });
  });

  it('limits Route 53 and Cloud Map to the configured zone and service', () => {
    const dns = statementsWith('Decommission', 'route53:ChangeResourceRecordSets');
    expect(dns[0]!.Resource).toEqual({
      'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, ':route53:::hostedzone/Z0123456789ABCDEFGHIJ']],
    });
    const map = statementsWith('Decommission', 'servicediscovery:DeregisterInstance');
    expect(JSON.stringify(map[0]!.Resource)).toContain(':service/srv-0123456789abcdef');
  });

  it('lets only the functions that price runs read list and spot prices, spot only in the configured regions', () => {
    // Arrange
    const pricing = (fn: string) => statementsWith(fn, 'pricing:GetProducts');
    const spot = (fn: string) => statementsWith(fn, 'ec2:DescribeSpotPriceHistory');

    // Assert: GetProducts has no resource-level permissions, so `*` is all IAM accepts
    for (const fn of ['StateChange', 'NagDue', 'Reconcile', 'ConsentStop']) {
      expect(pricing(fn)).toHaveLength(1);
      expect(pricing(fn)[0]).toMatchObject({ Effect: 'Allow', Action: 'pricing:GetProducts', Resource: '*' });
      expect(spot(fn)[0]).toMatchObject({
        Resource: '*',
        Condition: { StringEquals: { 'aws:RequestedRegion': ['eu-west-1', 'us-east-1'] } },
      });
    }
    for (const fn of ['SlackEvents', 'OutboxStream', 'Decommission']) {
      expect([...pricing(fn), ...spot(fn)]).toEqual([]);
    }
  });

  it('gives no engine function the power to stop, start or run commands', () => {
    for (const fn of ['StateChange', 'NagDue', 'Reconcile']) {
      const actions = roleStatements(s.json, fn).flatMap(actionsOf);
      expect(actions.filter((a) => /^ec2:(Stop|Start|Modify)|^ssm:SendCommand/.test(a))).toEqual([]);
    }
  });

  it('has no Allow statement with an action wildcard', () => {
    const all = resourcesOfType(s.json, 'AWS::IAM::Policy').flatMap(
      ([, p]) => (p.PolicyDocument as { Statement: Statement[] }).Statement,
    );
    expect(all.flatMap(actionsOf).filter((a) => a.includes('*'))).toEqual([]);
  });
});
