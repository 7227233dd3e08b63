import { principalArn, principalId } from '../../auth/principal.js';
import type {
  GetCallerIdentityRequest,
  GetCallerIdentityResponse,
} from '../../model/generated/sts.js';
import type { OperationContext } from '../service.js';

/** GetCallerIdentity: who signed the request, with ARNs in the request's partition. */
export async function getCallerIdentity(
  ctx: OperationContext,
  _input: GetCallerIdentityRequest,
): Promise<GetCallerIdentityResponse> {
  return {
    UserId: principalId(ctx.principal),
    Account: ctx.principal.accountId,
    Arn: principalArn(ctx.principal, ctx.region.partition),
  };
}
