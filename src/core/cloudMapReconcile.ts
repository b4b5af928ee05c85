/**
 * The Cloud Map reconcile diff: which registered service instances no longer
 * belong to a running EC2 instance.
 *
 * A registration is valid when its id is a running EC2 instance in one of the
 * swept regions AND its `AWS_INSTANCE_IPV4` equals that instance's private or
 * public IP (an IP mismatch means the id was reused or the registration is
 * stale). A registration without `AWS_INSTANCE_IPV4` is not ours to judge and
 * is skipped. Everything else is deregistered, unless that would leave the
 * service with no instances at all: then nothing changes and a warning says why,
 * because an empty service is an outage, and a mass mismatch more likely means
 * a wrong region list than a dead fleet. Pure: each decision has a reason.
 */
import { count } from './plural.js';

export const IPV4_ATTRIBUTE = 'AWS_INSTANCE_IPV4';

export interface RegisteredInstance {
  id: string;
  attributes: Record<string, string>;
}

/** A running EC2 instance found by id in one of the regions. */
export interface RunningInstance {
  instanceId: string;
  region: string;
  privateIp?: string;
  publicIp?: string;
}

export type ReconcileAction = 'keep' | 'skip' | 'deregister';

export interface ReconcileDecision {
  instanceId: string;
  action: ReconcileAction;
  reason: string;
}

export interface CloudMapDiff {
  serviceId: string;
  decisions: ReconcileDecision[];
  /** Set when the empty-service guard held back every deregistration. */
  guardWarning?: string;
  /** The decisions that are deregistrations (empty when the guard held). */
  toDeregister: string[];
}

const EC2_ID_RE = /^i-[0-9a-f]{8}(?:[0-9a-f]{9})?$/;

/** Whether an id could be an EC2 instance id (so it is worth asking EC2 about). */
export const isEc2InstanceId = (id: string): boolean => EC2_ID_RE.test(id);

export function reconcileCloudMap(input: {
  serviceId: string;
  registered: RegisteredInstance[];
  /** Running EC2 instances, found by the registered ids in every swept region. */
  running: RunningInstance[];
  regions: string[];
}): CloudMapDiff {
  const byId = new Map(input.running.map((r) => [r.instanceId, r]));
  const where = input.regions.join(', ');
  const decisions: ReconcileDecision[] = input.registered.map((reg): ReconcileDecision => {
    const ipv4 = reg.attributes[IPV4_ATTRIBUTE]?.trim();
    if (!ipv4) {
      return { instanceId: reg.id, action: 'skip', reason: `${reg.id} has no ${IPV4_ATTRIBUTE}; left alone` };
    }
    if (!isEc2InstanceId(reg.id)) {
      return {
        instanceId: reg.id,
        action: 'deregister',
        reason: `${reg.id} is not an EC2 instance id, so it is not a running instance in ${where}`,
      };
    }
    const ec2 = byId.get(reg.id);
    if (!ec2) {
      return { instanceId: reg.id, action: 'deregister', reason: `${reg.id} is not running in ${where}` };
    }
    if (ipv4 !== ec2.privateIp && ipv4 !== ec2.publicIp) {
      const has = [ec2.privateIp, ec2.publicIp].filter(Boolean).join(' / ') || 'no IP';
      return {
        instanceId: reg.id,
        action: 'deregister',
        reason: `${reg.id} is registered with ${ipv4}, but the running instance in ${ec2.region} has ${has}`,
      };
    }
    return {
      instanceId: reg.id,
      action: 'keep',
      reason: `${reg.id} is running in ${ec2.region} with ${ipv4}`,
    };
  });

  const deregister = decisions.filter((d) => d.action === 'deregister');
  const remaining = decisions.length - deregister.length;
  if (deregister.length > 0 && remaining === 0) {
    const guardWarning =
      `deregistering ${count(deregister.length, 'instance')} would leave ${input.serviceId} with no instances; ` +
      `changed nothing (check the instance regions: ${where})`;
    return {
      serviceId: input.serviceId,
      guardWarning,
      toDeregister: [],
      decisions: decisions.map((d) =>
        d.action === 'deregister'
          ? { ...d, action: 'keep', reason: `${d.reason}; kept by the empty-service guard` }
          : d,
      ),
    };
  }
  return { serviceId: input.serviceId, decisions, toDeregister: deregister.map((d) => d.instanceId) };
}
