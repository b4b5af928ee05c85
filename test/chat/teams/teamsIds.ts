/**
 * The ids the Teams tests use for the tenant, the people and the channels.
 * Kept apart from teamsWorld.ts (which opens SQLite) so the Lambda suites,
 * which run on Node 24 and must not load SQLite, can build activities too.
 */
export const TENANT = '5d3e2b1a-0c9f-4e8d-a7b6-c5d4e3f2a1b0';
export const ALICE = 'a11ce000-0000-4000-8000-000000000001';
export const BOT = '28:lightsout-test-bot';
export const TEAM = '19:team-platform@thread.tacv2';
export const OPS = '19:ops-channel@thread.tacv2';
export const OTHER = '19:other-channel@thread.tacv2';
