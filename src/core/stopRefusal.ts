/**
 * Why EC2 will not stop (or hibernate) an instance, in words chat replies, the
 * CLI and the audit log share. Hibernation is fixed at launch
 * (`HibernationOptions.Configured`); stop protection is the instance attribute
 * `DisableApiStop`, which its owner can lift.
 */
import type { InstanceKey } from './instance.js';

/** The command that lifts stop protection, for the person who owns the instance. */
export function liftStopProtectionCommand(k: InstanceKey): string {
  return `aws ec2 modify-instance-attribute --region ${k.region} --instance-id ${k.instanceId} --no-disable-api-stop`;
}

/** `label` is how the caller names the instance (its Name tag or id). */
export function stopProtectedReason(k: InstanceKey, label: string = k.instanceId): string {
  return (
    `${label} is stop-protected (DisableApiStop), so EC2 refuses to stop it. ` +
    `Whoever owns it can lift the protection with \`${liftStopProtectionCommand(k)}\`.`
  );
}

export function hibernationNotConfiguredReason(label: string): string {
  return (
    `${label} cannot hibernate: hibernation was not configured when it was launched ` +
    '(HibernationOptions). Stop it without --hibernate instead.'
  );
}
