/**
 * The backstop for deployment settings: the environment the stack will give
 * the functions, read by the functions' own loader (src/config) at synth time.
 */
import { ConfigError, loadConfig } from '../../src/config/index.js';
import type { Settings } from './settings.js';

/**
 * Runs the functions' own config loader over the settings they will receive,
 * so anything it would reject at cold start (a webhook URL with credentials in
 * it, a malformed admin list) fails the synth instead, in the functions' words.
 */
export function checkAsFunctionsWould(s: Settings): string[] {
  try {
    loadConfig({
      AWS_REGION: s.regions[0],
      MONITOR_MODE: s.monitorMode,
      DEFAULT_GROUP: s.defaultGroup,
      DEFAULT_THRESHOLD: s.defaultThreshold,
      RENOTIFY_EVERY: s.renotifyEvery,
      REGIONS: s.regions.join(','),
      TOMBSTONE_TTL: s.tombstoneTtl,
      CLEANUP_HOSTED_ZONES: s.hostedZoneIds.join(','),
      CLEANUP_CLOUDMAP_SERVICES: s.cloudMapServices.map((r) => `${r.serviceId}@${r.region}`).join(','),
      CLEANUP_WEBHOOK_URLS: s.cleanupWebhookUrls.join(','),
      // Stands in for the real secret, which the stack always passes with webhook URLs.
      WEBHOOK_SECRET_ARN: 'arn:aws:secretsmanager:us-east-1:000000000000:secret:synth-check',
      WORKLOAD_SPEC_SOURCE: 'dynamodb',
      WORKLOAD_SPEC_TABLE: s.workloadSpecTable,
      TIER_SPEC_TABLE: s.tierSpecTable,
      WORKLOAD_SPEC_REGION: s.workloadSpecRegion,
      WORKLOAD_SNS_TOPIC_ARN: s.workloadStatusTopicArn,
      connections__serviceConnection__settings__clientId: s.teamsAppId,
      connections__serviceConnection__settings__tenantId: s.teamsTenantId,
      // Stands in for the Teams secret, which the stack always passes with the app id.
      TEAMS_SECRET_ARN: s.teamsAppId
        ? 'arn:aws:secretsmanager:us-east-1:000000000000:secret:synth-check'
        : undefined,
      ...s.functionEnvironment,
    });
    return [];
  } catch (err) {
    if (!(err instanceof ConfigError)) throw err;
    return err.problems.map((p) => `as the functions would read it: ${p}`);
  }
}
