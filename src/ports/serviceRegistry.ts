import type { RegisteredInstance } from '../core/cloudMapReconcile.js';

/**
 * AWS Cloud Map service instances. Implementation: `src/aws/cloudMapRegistry.ts`.
 */
export interface ServiceRegistry {
  /** Every registered instance of the service (all pages). Throws NotFoundError for an unknown service. */
  listInstances(region: string, serviceId: string): Promise<RegisteredInstance[]>;
  /** Returns false when the instance was not registered (already gone): deregistering is idempotent. */
  deregister(region: string, serviceId: string, instanceId: string): Promise<boolean>;
}
