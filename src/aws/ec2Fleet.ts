/**
 * The EC2 side of Lights Out. Listing is one paginated DescribeInstances with
 * server-side filters, 1,000 instances per page: a sweep of 10,000 instances
 * costs 10 calls, never one per instance. Stop/start batch ids the same way.
 *
 * `@aws-sdk/client-ec2` is imported only as types here and loaded at the
 * first call: bundled with the SDK external, a static import would run at
 * every Lambda init (~300 ms for this package), including in the Slack
 * function, which needs EC2 only once someone clicks Stop.
 */
import type { EC2Client, Filter, Instance, InstanceStateChange } from '@aws-sdk/client-ec2';
import { StopProtectedError } from '../core/errors.js';
import { INSTANCE_STATES, type InstanceState } from '../core/instance.js';
import type { Fleet, FleetInstance, FleetQuery, StateTransition, StopOptions } from '../ports/fleet.js';
import { loadEc2Sdk } from './clients.js';
import { awsCall, awsErrorCode, translateAwsError } from './errors.js';

/** DescribeInstances' page maximum, and the batch size for stop/start. */
export const EC2_PAGE_SIZE = 1000;
// Filter values are capped at 200 per filter; instance-id lists are chunked to this.
const MAX_FILTER_VALUES = 200;

/** Call counters, read by the benchmark and by tests that check we batch. */
export interface FleetStats {
  describeCalls: number;
  stopCalls: number;
  startCalls: number;
  modifyCalls: number;
  attributeCalls: number;
}

export class Ec2Fleet implements Fleet {
  readonly stats: FleetStats = {
    describeCalls: 0,
    stopCalls: 0,
    startCalls: 0,
    modifyCalls: 0,
    attributeCalls: 0,
  };

  private readonly pageSize: number;

  /**
   * `clientFor` returns the EC2 client of a region, directly or as a promise
   * (`loadEc2Client` from `./clients.js`, which defers loading the SDK). `pageSize` exists for tests: moto pages by reservation,
   * so only a small page size makes it hand out NextTokens.
   */
  constructor(
    private readonly clientFor: (region: string) => EC2Client | Promise<EC2Client>,
    opts: { pageSize?: number } = {},
  ) {
    this.pageSize = Math.min(EC2_PAGE_SIZE, Math.max(5, opts.pageSize ?? EC2_PAGE_SIZE));
  }

  async find(region: string, query: FleetQuery): Promise<FleetInstance[]> {
    const filters = toFilters(query);
    const ids = query.instanceIds;
    if (ids && ids.length === 0) return [];
    // Explicit ids go into an `instance-id` filter rather than InstanceIds, so
    // an id that no longer exists yields nothing instead of failing the page.
    const idChunks = ids ? chunk(ids, MAX_FILTER_VALUES) : [undefined];
    const found: FleetInstance[] = [];
    for (const idChunk of idChunks) {
      const pageFilters = idChunk ? [...filters, { Name: 'instance-id', Values: idChunk }] : filters;
      found.push(...(await this.describeAll(region, pageFilters)));
    }
    return found;
  }

  async stop(region: string, instanceIds: string[], opts: StopOptions = {}): Promise<StateTransition[]> {
    const out: StateTransition[] = [];
    const verb = opts.hibernate ? 'StopInstances Hibernate' : 'StopInstances';
    for (const ids of chunk(unique(instanceIds), EC2_PAGE_SIZE)) {
      this.stats.stopCalls++;
      const { StopInstancesCommand } = await loadEc2Sdk();
      const action = `${verb} (${ids.length}) in ${region}`;
      let res: { StoppingInstances?: InstanceStateChange[] };
      try {
        res = await (await this.clientFor(region)).send(
          new StopInstancesCommand({ InstanceIds: ids, Hibernate: opts.hibernate || undefined }),
        );
      } catch (err) {
        throw stopError(err, action, ids);
      }
      out.push(...(res.StoppingInstances ?? []).map(toTransition));
    }
    return out;
  }

  async stopProtected(region: string, instanceId: string): Promise<boolean> {
    this.stats.attributeCalls++;
    const { DescribeInstanceAttributeCommand } = await loadEc2Sdk();
    const res = await awsCall(
      `DescribeInstanceAttribute disableApiStop of ${instanceId} in ${region}`,
      async () =>
        (await this.clientFor(region)).send(
          new DescribeInstanceAttributeCommand({ InstanceId: instanceId, Attribute: 'disableApiStop' }),
        ),
    );
    return res.DisableApiStop?.Value === true;
  }

  async start(region: string, instanceIds: string[]): Promise<StateTransition[]> {
    const out: StateTransition[] = [];
    for (const ids of chunk(unique(instanceIds), EC2_PAGE_SIZE)) {
      this.stats.startCalls++;
      const { StartInstancesCommand } = await loadEc2Sdk();
      const res = await awsCall(`StartInstances (${ids.length}) in ${region}`, async () =>
        (await this.clientFor(region)).send(new StartInstancesCommand({ InstanceIds: ids })),
      );
      out.push(...(res.StartingInstances ?? []).map(toTransition));
    }
    return out;
  }

  async setInstanceType(region: string, instanceId: string, instanceType: string): Promise<void> {
    this.stats.modifyCalls++;
    const { ModifyInstanceAttributeCommand } = await loadEc2Sdk();
    await awsCall(
      `ModifyInstanceAttribute InstanceType=${instanceType} on ${instanceId} in ${region}`,
      async () =>
        (await this.clientFor(region)).send(
          new ModifyInstanceAttributeCommand({
            InstanceId: instanceId,
            InstanceType: { Value: instanceType },
          }),
        ),
    );
  }

  private async describeAll(region: string, filters: Filter[]): Promise<FleetInstance[]> {
    const [{ DescribeInstancesCommand }, client] = await Promise.all([loadEc2Sdk(), this.clientFor(region)]);
    const found: FleetInstance[] = [];
    let nextToken: string | undefined;
    do {
      this.stats.describeCalls++;
      const page = await awsCall(`DescribeInstances in ${region}`, () =>
        client.send(
          new DescribeInstancesCommand({
            Filters: filters.length ? filters : undefined,
            MaxResults: this.pageSize,
            NextToken: nextToken,
          }),
        ),
      );
      for (const reservation of page.Reservations ?? []) {
        for (const instance of reservation.Instances ?? []) {
          const mapped = toFleetInstance(region, instance, reservation.OwnerId);
          if (mapped) found.push(mapped);
        }
      }
      nextToken = page.NextToken || undefined;
    } while (nextToken);
    return found;
  }
}

function toFilters(query: FleetQuery): Filter[] {
  const filters: Filter[] = [];
  if (query.states?.length) filters.push({ Name: 'instance-state-name', Values: query.states });
  for (const [key, values] of Object.entries(query.tags ?? {})) {
    if (values.length) filters.push({ Name: `tag:${key}`, Values: values });
  }
  if (query.tagKeys?.length) {
    // One filter per key: a single `tag-key` filter with several values would mean "any of".
    for (const key of query.tagKeys) filters.push({ Name: 'tag-key', Values: [key] });
  }
  if (query.vpcId) filters.push({ Name: 'vpc-id', Values: [query.vpcId] });
  return filters;
}

/** SDK instance → FleetInstance; undefined for entries without id (never seen in practice). */
export function toFleetInstance(region: string, i: Instance, ownerId?: string): FleetInstance | undefined {
  if (!i.InstanceId) return undefined;
  const tags: Record<string, string> = {};
  for (const t of i.Tags ?? []) if (t.Key) tags[t.Key] = t.Value ?? '';
  return {
    region,
    instanceId: i.InstanceId,
    state: toState(i.State?.Name),
    launchTime: toIso(i.LaunchTime),
    instanceType: i.InstanceType,
    availabilityZone: i.Placement?.AvailabilityZone,
    privateIp: i.PrivateIpAddress,
    publicIp: i.PublicIpAddress,
    vpcId: i.VpcId,
    platform: i.PlatformDetails ?? i.Platform,
    detailedMonitoring: i.Monitoring?.State === 'enabled',
    tenancy: i.Placement?.Tenancy,
    lifecycle: i.InstanceLifecycle,
    accountId: ownerId,
    hibernationConfigured: i.HibernationOptions?.Configured === true ? true : undefined,
    tags,
  };
}

/**
 * EC2 answers StopInstances on a stop-protected instance with
 * `OperationNotPermitted` ("The instance 'i-…' may not be stopped. Modify its
 * 'disableApiStop' instance attribute…") and fails the call; the
 * instance it names becomes StopProtectedError's `instanceId`.
 */
function stopError(err: unknown, action: string, ids: string[]): Error {
  const message = err instanceof Error ? err.message : String(err);
  if (awsErrorCode(err) === 'OperationNotPermitted' && /disableApiStop/i.test(message)) {
    const named = /'(i-[0-9a-f]+)'/.exec(message)?.[1] ?? (ids.length === 1 ? ids[0] : undefined);
    return new StopProtectedError(
      `${named ?? 'An instance'} has stop protection (DisableApiStop): EC2 refused ${action}`,
      named,
      { cause: err },
    );
  }
  return translateAwsError(err, action);
}

function toTransition(c: InstanceStateChange): StateTransition {
  return {
    instanceId: c.InstanceId ?? '',
    previousState: c.PreviousState?.Name ? toState(c.PreviousState.Name) : undefined,
    currentState: c.CurrentState?.Name ? toState(c.CurrentState.Name) : undefined,
  };
}

function toState(name: string | undefined): InstanceState {
  return INSTANCE_STATES.includes(name as InstanceState) ? (name as InstanceState) : 'pending';
}

function toIso(t: Date | string | undefined): string {
  if (t === undefined) return new Date(0).toISOString();
  return (typeof t === 'string' ? new Date(t) : t).toISOString();
}

function unique<T>(xs: T[]): T[] {
  return [...new Set(xs)];
}

function chunk<T>(xs: T[], size: number): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < xs.length; i += size) out.push(xs.slice(i, i + size));
  return out;
}
