/**
 * The webhook signing secret in Lambda mode: read once at cold start from the
 * Secrets Manager secret named by WEBHOOK_SECRET_ARN, a JSON secret
 * `{"webhookSecret": "…"}` (a plain-text secret works too). Never logged.
 */
import { GetSecretValueCommand, type SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { ValidationError } from '../core/errors.js';
import { awsCall } from './errors.js';

export async function readWebhookSecret(client: SecretsManagerClient, arn: string): Promise<string> {
  const res = await awsCall(`GetSecretValue ${arn}`, () =>
    client.send(new GetSecretValueCommand({ SecretId: arn })),
  );
  const raw = res.SecretString?.trim() ?? '';
  let secret = raw;
  if (raw.startsWith('{')) {
    try {
      secret = String((JSON.parse(raw) as { webhookSecret?: unknown }).webhookSecret ?? '');
    } catch {
      secret = '';
    }
  }
  if (secret.length < 16) {
    throw new ValidationError(
      `secret ${arn} must hold {"webhookSecret": "<at least 16 random characters>"}; the key is missing, empty or too short`,
    );
  }
  return secret;
}
