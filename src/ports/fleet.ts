import type { InstanceState } from '../core/instance.js';

/** An EC2 instance as read live from the EC2 API. */
export interface FleetInstance {
  region: string;
  instanceId: string;
  state: InstanceState;
  launchTime: string;
  instanceType?: string;
  availabilityZone?: string;
  privateIp?: string;
  publicIp?: string;
  vpcId?: string;
  /** PlatformDetails (`Linux/UNIX`, `Windows BYOL`, …), else Platform (`windows`); prices depend on it. */
  platform?: string;
  /** Detailed monitoring on (`Monitoring.State` enabled): CloudWatch has 1-minute metrics, else 5-minute. */
  detailedMonitoring?: boolean;
  /** Placement.Tenancy: `default`, `dedicated` or `host`. */
  tenancy?: string;
  /** InstanceLifecycle: `spot` (priced from the spot market), `capacity-block`; absent for On-Demand. */
  lifecycle?: string;
  /** Owner account id (from the reservation), for notifications. */
  accountId?: string;
  /** `HibernationOptions.Configured`: StopInstances may hibernate it. */
  hibernationConfigured?: boolean;
  tags: Record<string, string>;
}

export interface FleetQuery {
  states?: InstanceState[];
  /** Tag filters: key → allowed values (any of). */
  tags?: Record<string, string[]>;
  /** Only instances that carry this tag key, whatever its value. */
  tagKeys?: string[];
  vpcId?: string;
  instanceIds?: string[];
}

export interface StateTransition {
  instanceId: string;
  previousState?: InstanceState;
  currentState?: InstanceState;
}

export interface StopOptions {
  hibernate?: boolean;
}

/** The EC2 side. Adapters translate SDK errors into LightsOutError subclasses. */
export interface Fleet {
  /** Paginated DescribeInstances with server-side filters (1,000 per page). */
  find(region: string, query: FleetQuery): Promise<FleetInstance[]>;
  /**
   * Batched; the adapter chunks large id lists. `hibernate` asks EC2 to
   * hibernate (every id must have hibernation configured). One stop-protected
   * instance makes the call fail with StopProtectedError naming it (others in it
   * may or may not have been stopped: send them again).
   */
  stop(region: string, instanceIds: string[], opts?: StopOptions): Promise<StateTransition[]>;
  /**
   * The instance's `DisableApiStop` (DescribeInstanceAttribute: one call per
   * instance, so read only when it matters, e.g. before a nag).
   */
  stopProtected(region: string, instanceId: string): Promise<boolean>;
  start(region: string, instanceIds: string[]): Promise<StateTransition[]>;
  setInstanceType(region: string, instanceId: string, instanceType: string): Promise<void>;
}
