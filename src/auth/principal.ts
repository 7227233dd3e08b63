import type { PartitionName } from '../partitions.js';

/** Who signed a request, as resolved from its access key. */
export interface Principal {
  readonly type: 'Root' | 'IAMUser';
  readonly accountId: string;
  readonly accessKeyId: string;
  /** The IAM user name; absent for root. */
  readonly userName?: string;
  /** The IAM unique id (`AIDA…`); absent for root. */
  readonly userId?: string;
}

/** The principal's ARN in `partition`: `arn:<p>:iam::<acct>:root` or `…:user/<name>`. */
export function principalArn(principal: Principal, partition: PartitionName): string {
  return `arn:${partition}:iam::${principal.accountId}:${principalKey(principal)}`;
}

/** The partition-free name of a principal inside its account: `root` or `user/<name>`. */
export function principalKey(principal: Principal): string {
  return principal.type === 'Root' ? 'root' : `user/${principal.userName ?? ''}`;
}

/** CloudTrail's principalId: the account id for root, the unique id for a user. */
export function principalId(principal: Principal): string {
  return principal.type === 'Root' ? principal.accountId : (principal.userId ?? '');
}
