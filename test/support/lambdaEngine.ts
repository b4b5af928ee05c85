/**
 * The Lambda deployment's monitor engine as the chat Lambda suites (Slack,
 * Teams) and the Slack benchmark seed it: the environment every function
 * gets, EventBridge Scheduler and the DynamoDB instance store on moto, and a
 * `MonitorService` that records instances as the stateChange function would.
 */
import { CreateTagsCommand, type EC2Client, RunInstancesCommand } from '@aws-sdk/client-ec2';
import { SchedulerClient } from '@aws-sdk/client-scheduler';
import { dynamoDocumentClient, loadEc2Client } from '../../src/aws/clients.js';
import { DynamoInstanceStore } from '../../src/aws/dynamodb/instanceStore.js';
import { Ec2Fleet } from '../../src/aws/ec2Fleet.js';
import { EventBridgeNagScheduler } from '../../src/aws/eventBridgeNagScheduler.js';
import type { InstanceRecord } from '../../src/core/instance.js';
import { MonitorService } from '../../src/services/monitor/monitorService.js';
import { testMonitorSettings } from './monitorSettings.js';
import type { MotoServer } from './moto.js';

export const LAMBDA_REGION = 'us-east-1';

/** What every Lambda function is given besides its platform's settings. */
export function lambdaBaseEnv(tableName: string) {
  return {
    AWS_REGION: LAMBDA_REGION,
    TABLE_NAME: tableName,
    NAG_FUNCTION_ARN: `arn:aws:lambda:${LAMBDA_REGION}:123456789012:function:lightsout-nag`,
    SCHEDULER_ROLE_ARN: 'arn:aws:iam::123456789012:role/lightsout-scheduler',
    LOG_LEVEL: 'error',
  };
}

export interface LambdaEngine {
  engine: MonitorService;
  scheduler: EventBridgeNagScheduler;
  store: DynamoInstanceStore;
}

/** The engine on moto's Scheduler and `tableName`, with the deployed defaults (opt-in, 12 h threshold). */
export async function lambdaEngine(moto: MotoServer, tableName: string): Promise<LambdaEngine> {
  const env = lambdaBaseEnv(tableName);
  const scheduler = new EventBridgeNagScheduler(new SchedulerClient(moto.clientConfig), {
    targetArn: env.NAG_FUNCTION_ARN,
    roleArn: env.SCHEDULER_ROLE_ARN,
  });
  await scheduler.ensureGroup();
  const store = new DynamoInstanceStore(dynamoDocumentClient(LAMBDA_REGION), tableName);
  const engine = new MonitorService({
    fleet: new Ec2Fleet(loadEc2Client),
    store,
    scheduler,
    notifier: { notify: async () => undefined },
    events: { publish: async () => undefined },
    clock: () => new Date(),
    settings: testMonitorSettings({ regions: [LAMBDA_REGION] }),
  });
  return { engine, scheduler, store };
}

/** Launches an instance with Monitor/MonitorGroup/Name tags and lets the engine see it start. */
export async function launchMonitored(
  ec2: EC2Client,
  { engine, store }: LambdaEngine,
  name: string,
  group = 'web',
): Promise<InstanceRecord> {
  const run = await ec2.send(
    new RunInstancesCommand({ ImageId: 'ami-12345678', MinCount: 1, MaxCount: 1, InstanceType: 't3.micro' }),
  );
  const id = run.Instances![0]!.InstanceId!;
  await ec2.send(
    new CreateTagsCommand({
      Resources: [id],
      Tags: [
        { Key: 'Monitor', Value: 'true' },
        { Key: 'MonitorGroup', Value: group },
        { Key: 'Name', Value: name },
      ],
    }),
  );
  await engine.handleStateChange({
    region: LAMBDA_REGION,
    instanceId: id,
    state: 'running',
    time: new Date().toISOString(),
  });
  const record = await store.get({ region: LAMBDA_REGION, instanceId: id });
  if (!record) throw new Error('engine did not record the launched instance');
  return record;
}
