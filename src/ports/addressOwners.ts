/**
 * Who holds an IP address now. A terminated instance's private IP can be
 * handed to a new instance within minutes, and an Elastic IP outlives the
 * instance it was attached to (blue/green moves it to the replacement): DNS
 * records pointing at such an address serve another host and must stay.
 * Implementation: `src/aws/ec2AddressOwners.ts`.
 */
export interface AddressOwners {
  /**
   * Of `ips`, those held by something other than `instanceId` in `region`:
   * ip → who, e.g. `i-0def… (running)` or `Elastic IP eipalloc-…`.
   */
  holders(region: string, ips: string[], instanceId: string): Promise<Record<string, string>>;
}
