import type { PartitionName } from '../../partitions.js';
import type { OperationContext } from '../service.js';

/**
 * ARNs of ECS resources. Every ARN takes its partition from the region of the call
 * (`arn:aws-us-gov:` in GovCloud) and its account from the caller, so a resource is only
 * ever named inside the account and region that own it.
 */

/** What an ARN is built from: the call's region and the caller's account. */
export type ArnContext = Pick<OperationContext, 'region' | 'principal'>;

/** `arn:<partition>:ecs:<region>:<account>:<resourceType>/<resourceId>`. */
export function ecsArn(ctx: ArnContext, resourceType: string, resourceId: string): string {
  const { partition, name } = ctx.region;
  return `arn:${partition}:ecs:${name}:${ctx.principal.accountId}:${resourceType}/${resourceId}`;
}

/** A cluster: `…:cluster/<name>`. */
export function clusterArn(ctx: ArnContext, clusterName: string): string {
  return ecsArn(ctx, 'cluster', clusterName);
}

/** A task definition revision: `…:task-definition/<family>:<revision>`. */
export function taskDefinitionArn(ctx: ArnContext, family: string, revision: number): string {
  return ecsArn(ctx, 'task-definition', `${family}:${revision}`);
}

/** A task, in the long format AWS has used since 2021: `…:task/<cluster name>/<task id>`. */
export function taskArn(ctx: ArnContext, clusterName: string, taskId: string): string {
  return ecsArn(ctx, 'task', `${clusterName}/${taskId}`);
}

/** An ECS ARN taken apart. */
export interface EcsArn {
  readonly partition: PartitionName;
  readonly region: string;
  readonly accountId: string;
  /** `cluster`, `task-definition`, `task`, `service`, `container-instance`, … */
  readonly resourceType: string;
  /** Everything after the first `/`: `<name>`, `<family>:<revision>`, `<cluster>/<id>`. */
  readonly resourceId: string;
}

const ECS_ARN = /^arn:(aws|aws-us-gov):ecs:([a-z0-9-]+):(\d{12}):([a-z-]+)\/(.+)$/;

/** Takes an ECS ARN apart; undefined when the text is not one. */
export function parseEcsArn(text: string): EcsArn | undefined {
  const match = ECS_ARN.exec(text);
  if (!match) return undefined;

  const [, partition, region = '', accountId = '', resourceType = '', resourceId = ''] = match;
  return { partition: partition as PartitionName, region, accountId, resourceType, resourceId };
}

/**
 * Whether an ARN belongs to the caller's account in the call's region and partition. Any
 * other ARN must be treated as naming nothing, so one account never learns of another's
 * resources.
 */
export function isOwnArn(ctx: ArnContext, arn: EcsArn): boolean {
  return (
    arn.partition === ctx.region.partition &&
    arn.region === ctx.region.name &&
    arn.accountId === ctx.principal.accountId
  );
}

/** Names a cluster in the call's CloudTrail record (`resources`), once. */
export function noteCluster(ctx: Pick<OperationContext, 'resources'>, arn: string): void {
  if (ctx.resources.some((resource) => resource.arn === arn)) return;
  ctx.resources.push({ type: 'AWS::ECS::Cluster', name: arn, arn });
}
