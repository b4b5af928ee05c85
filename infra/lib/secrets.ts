/**
 * Secrets Manager entries for the chat credentials, created without a value:
 * the values are put after deploy (docs/deploy.md, step 4), so no secret
 * ever passes through a template, a CDK context file or an environment
 * variable. Functions get only the ARN and read the JSON at cold start.
 *
 * The L1 resource is used on purpose: the L2 `Secret` generates a random value
 * when none is given, which would be a confusing placeholder.
 */
import { RemovalPolicy } from 'aws-cdk-lib';
import * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import { Construct } from 'constructs';

export interface ChatSecretsProps {
  /** Stack name, so two deployments in one account get distinct secret names. */
  prefix: string;
}

export class ChatSecrets extends Construct {
  /** JSON `{"signingSecret": "...", "botToken": "xoxb-..."}`. */
  readonly slackArn: string;
  /** JSON `{"clientSecret": "..."}` (`{"appPassword": "..."}` still works). */
  readonly teamsArn: string;
  /** JSON `{"webhookSecret": "..."}`: the HMAC key cleanup webhooks are signed with. */
  readonly webhookArn: string;
  readonly names: { slack: string; teams: string; webhook: string };

  constructor(scope: Construct, id: string, props: ChatSecretsProps) {
    super(scope, id);
    this.names = {
      slack: `${props.prefix}/slack`,
      teams: `${props.prefix}/teams`,
      webhook: `${props.prefix}/webhook`,
    };
    this.slackArn = this.emptySecret('Slack', this.names.slack, 'Slack app signing secret and bot token').ref;
    this.teamsArn = this.emptySecret('Teams', this.names.teams, 'Teams bot (Microsoft App) password').ref;
    this.webhookArn = this.emptySecret(
      'Webhook',
      this.names.webhook,
      'signing secret for cleanup webhooks',
    ).ref;
  }

  private emptySecret(id: string, name: string, what: string): secretsmanager.CfnSecret {
    const secret = new secretsmanager.CfnSecret(this, id, {
      name,
      description: `Lights Out: ${what}. Created empty; set with aws secretsmanager put-secret-value.`,
    });
    // Deleted with the stack: Secrets Manager keeps it recoverable for 30 days
    // (docs/deploy.md, "Tear down", says how to redeploy sooner).
    secret.applyRemovalPolicy(RemovalPolicy.DESTROY);
    return secret;
  }
}
