import type {
  ListPublicKeysRequest,
  ListPublicKeysResponse,
} from '../../model/generated/cloudtrail.js';
import { listPublicKeys as regionKeys } from '../../trails/signing-keys.js';
import type { OperationContext } from '../service.js';
import { InvalidTimeRangeException } from './errors.js';

/**
 * ListPublicKeys: the region's digest-signing public keys valid at some time
 * in [StartTime, EndTime]. Without times, the key valid now. Every key is
 * listed on one page, so NextToken never comes back.
 */
export async function listPublicKeys(
  ctx: OperationContext,
  input: ListPublicKeysRequest,
): Promise<ListPublicKeysResponse> {
  const now = ctx.clock.now();
  const end = input.EndTime ?? now;
  const start = input.StartTime ?? input.EndTime ?? now;
  if (start.getTime() > end.getTime()) {
    throw new InvalidTimeRangeException('Start time must be before end time.');
  }

  const keys = await regionKeys(ctx.db, ctx.region.name, start, end);
  return {
    PublicKeyList: keys.map((key) => ({
      Value: Buffer.from(key.value, 'base64'),
      ValidityStartTime: key.validityStart,
      ValidityEndTime: key.validityEnd,
      Fingerprint: key.fingerprint,
    })),
  };
}
