/**
 * AWS Cloud Map service instances for the cleanup hooks and the reconciler.
 * Listing follows every page; deregistering an instance that is not (or no
 * longer) registered is reported as "was not registered", not as a failure, so
 * re-running a cleanup is harmless.
 */
import {
  DeregisterInstanceCommand,
  ListInstancesCommand,
  type ServiceDiscoveryClient,
} from '@aws-sdk/client-servicediscovery';
import type { RegisteredInstance } from '../core/cloudMapReconcile.js';
import { NotFoundError } from '../core/errors.js';
import type { ServiceRegistry } from '../ports/serviceRegistry.js';
import { awsErrorCode, translateAwsError } from './errors.js';

export class CloudMapRegistry implements ServiceRegistry {
  readonly stats = { listCalls: 0, deregisterCalls: 0 };

  /**
   * `clientFor` returns the Cloud Map client of a region, directly or as a
   * promise (`loadServiceDiscoveryClient` from `./clients.js`); `pageSize` exists so tests can exercise paging (API maximum 100).
   */
  constructor(
    private readonly clientFor: (region: string) => ServiceDiscoveryClient | Promise<ServiceDiscoveryClient>,
    private readonly pageSize = 100,
  ) {}

  async listInstances(region: string, serviceId: string): Promise<RegisteredInstance[]> {
    const out: RegisteredInstance[] = [];
    let nextToken: string | undefined;
    do {
      this.stats.listCalls++;
      const page = await this.call(`ListInstances ${serviceId} in ${region}`, serviceId, () =>
        Promise.resolve(this.clientFor(region)).then((c) =>
          c.send(
            new ListInstancesCommand({
              ServiceId: serviceId,
              MaxResults: this.pageSize,
              NextToken: nextToken,
            }),
          ),
        ),
      );
      for (const i of page.Instances ?? []) {
        if (i.Id) out.push({ id: i.Id, attributes: { ...(i.Attributes ?? {}) } });
      }
      nextToken = page.NextToken || undefined;
    } while (nextToken);
    return out;
  }

  async deregister(region: string, serviceId: string, instanceId: string): Promise<boolean> {
    this.stats.deregisterCalls++;
    try {
      await (await this.clientFor(region)).send(
        new DeregisterInstanceCommand({ ServiceId: serviceId, InstanceId: instanceId }),
      );
      return true;
    } catch (err) {
      if (awsErrorCode(err) === 'InstanceNotFound') return false;
      throw this.translate(err, `DeregisterInstance ${instanceId} from ${serviceId} in ${region}`, serviceId);
    }
  }

  private async call<T>(action: string, serviceId: string, fn: () => Promise<T>): Promise<T> {
    try {
      return await fn();
    } catch (err) {
      throw this.translate(err, action, serviceId);
    }
  }

  private translate(err: unknown, action: string, serviceId: string) {
    if (awsErrorCode(err) === 'ServiceNotFound') {
      return new NotFoundError(`${action} failed: Cloud Map service ${serviceId} does not exist`, {
        cause: err,
      });
    }
    return translateAwsError(err, action);
  }
}
