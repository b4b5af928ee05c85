/**
 * SNS topics encrypted with customer-managed KMS keys, where the topic says
 * exactly who may publish. The nag topic and the domain-events topic drive
 * what chat channels show and what cleanup deletes, so a forged message is an
 * attack: each topic denies Publish to every principal but its named publishers,
 * and each key lets only those publishers (through SNS) use it.
 *
 * Key policies are written out rather than CDK's default, which would let any
 * IAM principal in the account with kms:* use the key. The account root keeps
 * administration (so the key can never become unmanageable) but no
 * encrypt/decrypt rights.
 */
import { Aws, Duration, RemovalPolicy } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as sns from 'aws-cdk-lib/aws-sns';
import { Construct } from 'constructs';

/** What an administrator may do with a key: everything but using it. */
const KEY_ADMIN_ACTIONS = [
  'kms:Create*',
  'kms:Describe*',
  'kms:Enable*',
  'kms:List*',
  'kms:Put*',
  'kms:Update*',
  'kms:Revoke*',
  'kms:Disable*',
  'kms:Get*',
  'kms:Delete*',
  'kms:TagResource',
  'kms:UntagResource',
  'kms:ScheduleKeyDeletion',
  'kms:CancelKeyDeletion',
];

/** What SNS needs from a publisher's key rights to encrypt a message at rest. */
const SNS_PUBLISH_KEY_ACTIONS = ['kms:GenerateDataKey*', 'kms:Decrypt'];

export class TopicKey extends Construct {
  readonly key: kms.Key;

  constructor(scope: Construct, id: string, props: { description: string }) {
    super(scope, id);
    this.key = new kms.Key(this, 'Key', {
      description: props.description,
      enableKeyRotation: true,
      pendingWindow: Duration.days(7),
      // Only SNS messages in flight are encrypted with it; nothing outlives the stack.
      removalPolicy: RemovalPolicy.DESTROY,
      policy: new iam.PolicyDocument({
        statements: [
          new iam.PolicyStatement({
            sid: 'AccountAdministersButCannotUseKey',
            principals: [new iam.AccountRootPrincipal()],
            actions: KEY_ADMIN_ACTIONS,
            resources: ['*'],
          }),
        ],
      }),
    });
  }

  /** Lets these roles use the key, only through SNS in this region (i.e. only to publish). */
  allowPublishersViaSns(sid: string, roles: iam.IRole[]): void {
    if (roles.length === 0) return;
    this.key.addToResourcePolicy(
      new iam.PolicyStatement({
        sid,
        principals: roles.map((r) => new iam.ArnPrincipal(r.roleArn)),
        actions: SNS_PUBLISH_KEY_ACTIONS,
        resources: ['*'],
        conditions: { StringEquals: { 'kms:ViaService': `sns.${Aws.REGION}.amazonaws.com` } },
      }),
    );
  }

  /** Lets an AWS service (CloudWatch alarms) publish to topics under this key, from this account only. */
  allowServicePublisher(sid: string, service: string): void {
    this.key.addToResourcePolicy(
      new iam.PolicyStatement({
        sid,
        principals: [new iam.ServicePrincipal(service)],
        actions: SNS_PUBLISH_KEY_ACTIONS,
        resources: ['*'],
        conditions: { StringEquals: { 'aws:SourceAccount': Aws.ACCOUNT_ID } },
      }),
    );
  }
}

export class EncryptedTopic extends Construct {
  readonly topic: sns.Topic;

  constructor(scope: Construct, id: string, props: { key: kms.IKey; displayName: string }) {
    super(scope, id);
    this.topic = new sns.Topic(this, id, {
      displayName: props.displayName,
      masterKey: props.key,
      // Adds a Deny for any Publish/Subscribe over plain HTTP.
      enforceSSL: true,
    });
  }

  /**
   * Only these roles may publish: an Allow for them and a Deny for every other
   * principal, so even an account admin's identity policy cannot publish.
   */
  restrictPublishersTo(roles: iam.IRole[]): void {
    this.topic.addToResourcePolicy(
      new iam.PolicyStatement({
        sid: 'AllowNamedPublishers',
        principals: roles.map((r) => new iam.ArnPrincipal(r.roleArn)),
        actions: ['sns:Publish'],
        resources: [this.topic.topicArn],
      }),
    );
    this.topic.addToResourcePolicy(
      new iam.PolicyStatement({
        sid: 'DenyEveryOtherPublisher',
        effect: iam.Effect.DENY,
        principals: [new iam.AnyPrincipal()],
        actions: ['sns:Publish'],
        resources: [this.topic.topicArn],
        conditions: { ArnNotEquals: { 'aws:PrincipalArn': roles.map((r) => r.roleArn) } },
      }),
    );
  }
}
