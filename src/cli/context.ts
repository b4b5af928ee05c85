/**
 * What every CLI command gets: config (loaded lazily, so `--help` works with
 * no settings), output streams, and the wiring to reach EC2 and the store.
 * The CLI reads live state from EC2 over REGIONS; endpoints follow the SDK's
 * own settings (AWS_PROFILE, AWS_ENDPOINT_URL), so it works from a laptop and
 * against moto alike.
 */

import { existsSync } from 'node:fs';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type { Command } from 'commander';
import { configureAwsClients, dynamoClient, loadEc2Client } from '../aws/clients.js';
import { DynamoInstanceStore } from '../aws/dynamodb/instanceStore.js';
import { DynamoOutbox } from '../aws/dynamodb/outbox.js';
import { DynamoRunHistory } from '../aws/dynamodb/runHistory.js';
import { DynamoSubscriptionStore } from '../aws/dynamodb/subscriptionStore.js';
import { Ec2Fleet } from '../aws/ec2Fleet.js';
import { type Config, type Env, loadConfig } from '../config/index.js';
import { ValidationError } from '../core/errors.js';
import { quoted } from '../core/quote.js';
import type { InstanceStore } from '../ports/instanceStore.js';
import type { Outbox } from '../ports/outbox.js';
import type { RunHistory } from '../ports/runHistory.js';
import type { SubscriptionStore } from '../ports/subscriptionStore.js';
import type { RunStopper } from '../services/monitor/stop.js';
import { openDatabase } from '../sqlite/database.js';
import { SqliteInstanceStore } from '../sqlite/instanceStore.js';
import { SqliteOutbox } from '../sqlite/outbox.js';
import { SqliteRunHistory } from '../sqlite/runHistory.js';
import { SqliteSubscriptionStore } from '../sqlite/subscriptionStore.js';
import { awsRunStopper, localRunStopper } from '../wiring/runStopper.js';

export interface Output {
  write(text: string): void;
}

export interface CliContext {
  env: Env;
  stdout: Output;
  stderr: Output;
  /** Loads and validates config on first use; a ConfigError names the bad variables. */
  config(): Config;
  fleet(): Ec2Fleet;
  /**
   * The store the engine writes to, read-only use: DynamoDB when TABLE_NAME is
   * set, else the single process's SQLite file if it exists. Undefined when
   * there is none (a laptop with only an AWS profile). Says on stderr which
   * store it read, and warns when the file is missing, so a `list` run against
   * the wrong file never passes for the bot's view; it never creates the file.
   */
  existingStore(): InstanceStore | undefined;
  /** The outbox of domain events beside that store; undefined when there is no store. */
  existingOutbox(): Outbox | undefined;
  /** The channel subscriptions beside that store; undefined when there is no store. */
  existingSubscriptions(): SubscriptionStore | undefined;
  /** The run history beside that store; undefined when there is no store. */
  existingRunHistory(): RunHistory | undefined;
  /**
   * The stop operation over that store (records the stop, cancels the run's
   * nags, audits). Says which store it uses, like `existingStore`; with no
   * state file it works in memory and warns that nothing will be kept.
   */
  stopper(): { stopper: RunStopper; store: InstanceStore };
}

/** One CLI subcommand module: `register` adds it to the program. */
export interface CliCommand {
  register(program: Command, ctx: CliContext): void;
}

export function createCliContext(env: Env, stdout: Output, stderr: Output): CliContext {
  let config: Config | undefined;
  let store: { value: InstanceStore | undefined } | undefined;
  const ctx: CliContext = {
    env,
    stdout,
    stderr,
    config: () => {
      if (!config) {
        config = loadConfig(env);
        configureAwsClients(config.aws.clients);
      }
      return config;
    },
    fleet: () => new Ec2Fleet(loadEc2Client),
    existingStore: () => {
      store ??= { value: openExistingStore(ctx.config(), stderr) };
      return store.value;
    },
    stopper: () => openStopper(ctx.config(), stderr),
    existingOutbox: () => {
      const c = ctx.config();
      const home = c.monitor.regions[0] ?? 'us-east-1';
      if (c.store.tableName) {
        return new DynamoOutbox(DynamoDBDocumentClient.from(dynamoClient(home)), c.store.tableName);
      }
      if (existsSync(c.store.sqlitePath)) return new SqliteOutbox(openDatabase(c.store.sqlitePath));
      return undefined;
    },
    existingSubscriptions: () => {
      const c = ctx.config();
      const home = c.monitor.regions[0] ?? 'us-east-1';
      if (c.store.tableName) {
        return new DynamoSubscriptionStore(
          DynamoDBDocumentClient.from(dynamoClient(home)),
          c.store.tableName,
        );
      }
      if (existsSync(c.store.sqlitePath))
        return new SqliteSubscriptionStore(openDatabase(c.store.sqlitePath));
      return undefined;
    },
    existingRunHistory: () => {
      const c = ctx.config();
      const home = c.monitor.regions[0] ?? 'us-east-1';
      const retentionDays = c.digest.historyRetentionDays;
      if (c.store.tableName) {
        return new DynamoRunHistory(DynamoDBDocumentClient.from(dynamoClient(home)), c.store.tableName, {
          retentionDays,
        });
      }
      if (existsSync(c.store.sqlitePath)) {
        return new SqliteRunHistory(openDatabase(c.store.sqlitePath), { retentionDays });
      }
      return undefined;
    },
  };
  return ctx;
}

export type StateSource =
  | { kind: 'dynamodb'; tableName: string; region: string }
  | { kind: 'sqlite'; path: string }
  | { kind: 'none'; path: string };

/**
 * Which store a command reads, said on stderr: the deployment's table, the
 * single process's file, or, when that file does not exist, a warning whose
 * `consequence` says what the command can do without it. Never creates the file.
 */
export function announceState(config: Config, stderr: Output, consequence: string): StateSource {
  const { tableName, sqlitePath } = config.store;
  if (tableName) {
    const region = config.monitor.regions[0] ?? 'us-east-1';
    stderr.write(`lightsout: reading state from DynamoDB table ${tableName} in ${region}\n`);
    return { kind: 'dynamodb', tableName, region };
  }
  if (existsSync(sqlitePath)) {
    stderr.write(`lightsout: reading state from ${sqlitePath}\n`);
    return { kind: 'sqlite', path: sqlitePath };
  }
  stderr.write(
    `lightsout: warning: no state file at ${sqlitePath}, so ${consequence}. ` +
      '`lightsout start` creates the file; set DB_PATH if the bot keeps it elsewhere.\n',
  );
  return { kind: 'none', path: sqlitePath };
}

function openExistingStore(config: Config, stderr: Output): InstanceStore | undefined {
  const source = announceState(
    config,
    stderr,
    'this shows what EC2 reports only (no nags, snoozes or delivery)',
  );
  if (source.kind === 'dynamodb') {
    return new DynamoInstanceStore(
      DynamoDBDocumentClient.from(dynamoClient(source.region)),
      source.tableName,
    );
  }
  return source.kind === 'sqlite' ? new SqliteInstanceStore(openDatabase(source.path)) : undefined;
}

function openStopper(config: Config, stderr: Output): { stopper: RunStopper; store: InstanceStore } {
  const source = announceState(
    config,
    stderr,
    'the stop is made in EC2 but not recorded (no audit entry, no nags cancelled)',
  );
  if (source.kind === 'dynamodb') {
    return {
      stopper: awsRunStopper(config),
      store: new DynamoInstanceStore(
        DynamoDBDocumentClient.from(dynamoClient(source.region)),
        source.tableName,
      ),
    };
  }
  const db = openDatabase(source.kind === 'sqlite' ? source.path : ':memory:');
  return { stopper: localRunStopper(config, db), store: new SqliteInstanceStore(db) };
}

/** Parses `--at`: an ISO time such as 2026-03-02T18:00:00Z, or a time today such as 18:00 (UTC). */
export function parseAt(value: string | undefined, now: Date): Date {
  if (value === undefined) return now;
  const hhmm = /^(\d{1,2}):(\d{2})$/.exec(value.trim());
  if (hhmm) {
    const [h, m] = [Number(hhmm[1]), Number(hhmm[2])];
    if (h < 24 && m < 60) {
      const d = new Date(now);
      d.setUTCHours(h, m, 0, 0);
      return d;
    }
  }
  const t = Date.parse(value);
  if (Number.isNaN(t) || !/^\d{4}-\d{2}-\d{2}/.test(value.trim())) {
    throw new ValidationError(
      `--at must be an ISO time such as 2026-03-02T18:00:00Z or a UTC time today such as 18:00; got ${quoted(value)}`,
    );
  }
  return new Date(t);
}
