import { userExists } from '../../auth/identity-store.js';
import { principalArn, principalKey } from '../../auth/principal.js';
import type { OperationContext } from '../service.js';
import { AccessDeniedException, InvalidParameterException } from './errors.js';

/** The principal whose settings a call reads or changes. */
export interface SettingTarget {
  /** `root`, `user/<name>` or `role/<name>`. */
  readonly key: string;
  readonly arn: string;
}

const PRINCIPAL_ARN =
  /^arn:(aws|aws-us-gov):(iam|sts)::(\d{12}):(root|user\/[\w+=,.@/-]+|role\/[\w+=,.@/-]+|assumed-role\/.+|federated-user\/.+)$/;

/** The caller itself. */
export function callerTarget(ctx: OperationContext): SettingTarget {
  return {
    key: principalKey(ctx.principal),
    arn: principalArn(ctx.principal, ctx.region.partition),
  };
}

/** The account's root principal, whose settings are the account defaults. */
export function rootTarget(ctx: OperationContext): SettingTarget {
  return { key: 'root', arn: `arn:${ctx.region.partition}:iam::${ctx.principal.accountId}:root` };
}

/**
 * The principal `principalArn` names, checked: an IAM user, role or root of the
 * caller's own account, in the request's partition. Only the root user may name
 * another principal; federated sessions inherit root's settings and have none.
 */
export async function namedTarget(
  ctx: OperationContext,
  principalArnText: string,
): Promise<SettingTarget> {
  const match = PRINCIPAL_ARN.exec(principalArnText);
  if (!match) throw new InvalidParameterException(`Invalid principalArn: '${principalArnText}'.`);
  const [, partition, , accountId, resource = ''] = match;

  if (resource.startsWith('assumed-role/') || resource.startsWith('federated-user/')) {
    throw new InvalidParameterException(
      "Federated users assume the account setting of the root user and can't have explicit account settings set for them.",
    );
  }
  if (partition !== ctx.region.partition) {
    throw new InvalidParameterException(
      `principalArn '${principalArnText}' is not in partition '${ctx.region.partition}' of region ${ctx.region.name}.`,
    );
  }
  if (accountId !== ctx.principal.accountId) {
    throw new AccessDeniedException('principalArn must name a principal of your own account.');
  }

  const target = { key: resource, arn: `arn:${partition}:iam::${accountId}:${resource}` };
  await checkCallerMayActFor(ctx, target);
  await checkExists(ctx, target);
  return target;
}

async function checkCallerMayActFor(ctx: OperationContext, target: SettingTarget) {
  if (ctx.principal.type === 'Root' || target.key === principalKey(ctx.principal)) return;
  const caller = principalArn(ctx.principal, ctx.region.partition);
  throw new AccessDeniedException(
    `User: ${caller} may only view or change its own account settings; only the root user can act for ${target.arn}.`,
  );
}

async function checkExists(ctx: OperationContext, target: SettingTarget) {
  if (!target.key.startsWith('user/')) return;
  const exists = await userExists(
    ctx.db,
    ctx.principal.accountId,
    target.key.slice('user/'.length),
  );
  if (!exists) throw new InvalidParameterException(`The principal '${target.arn}' does not exist.`);
}
