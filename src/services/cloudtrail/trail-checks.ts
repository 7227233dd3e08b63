import type { CreateTrailRequest, UpdateTrailRequest } from '../../model/generated/cloudtrail.js';
import { policyAllowsCloudTrail } from '../../trails/bucket-policy.js';
import type { TrailSettings } from '../../trails/trail-store.js';
import { findBucket } from '../s3/bucket-store.js';
import { isValidBucketName } from '../s3/bucket-names.js';
import type { OperationContext } from '../service.js';
import {
  InsufficientS3BucketPolicyException,
  InsufficientSnsTopicPolicyException,
  InvalidCloudWatchLogsLogGroupArnException,
  InvalidParameterCombinationException,
  InvalidS3BucketNameException,
  InvalidS3PrefixException,
  KmsKeyNotFoundException,
  OrganizationsNotInUseException,
  S3BucketDoesNotExistException,
} from './errors.js';

/** CloudTrail's longest S3 key prefix. */
const MAX_PREFIX = 200;

/**
 * Options that need a service fedgate does not have (KMS, SNS, CloudWatch
 * Logs, Organizations) are refused with the error AWS gives when that
 * resource is missing, rather than accepted and silently ignored.
 */
export function checkUnsupportedOptions(input: CreateTrailRequest | UpdateTrailRequest): void {
  if (input.KmsKeyId) throw new KmsKeyNotFoundException(input.KmsKeyId);
  if (input.SnsTopicName) throw new InsufficientSnsTopicPolicyException(input.SnsTopicName);
  const logGroup = input.CloudWatchLogsLogGroupArn ?? input.CloudWatchLogsRoleArn;
  if (logGroup) throw new InvalidCloudWatchLogsLogGroupArnException(logGroup);
  if (input.IsOrganizationTrail) throw new OrganizationsNotInUseException();
}

/** A multi-region trail must include global service events. */
export function checkCombination(settings: TrailSettings): void {
  if (settings.isMultiRegionTrail && !settings.includeGlobalServiceEvents) {
    throw new InvalidParameterCombinationException(
      'Multi-Region trail must include global service events.',
    );
  }
}

/** The bucket exists and its policy lets CloudTrail write the caller's logs under the prefix. */
export async function checkDestination(
  ctx: OperationContext,
  settings: TrailSettings,
): Promise<void> {
  const name = settings.s3BucketName;
  if (!isValidBucketName(name)) throw new InvalidS3BucketNameException(name);
  if ((settings.s3KeyPrefix ?? '').length > MAX_PREFIX) {
    throw new InvalidS3PrefixException(
      `S3 key prefix is too long. Maximum allowed length: ${MAX_PREFIX} characters.`,
    );
  }

  const bucket = await findBucket(ctx.db, name);
  // A bucket fedgate does not hold lives on the external S3 endpoint, when one is set: its
  // existence and policy show at delivery, in GetTrailStatus's LatestDeliveryError.
  if (!bucket && ctx.shared.trailS3Endpoint !== undefined) return;
  if (!bucket) throw new S3BucketDoesNotExistException(name);

  const target = {
    partition: ctx.region.partition,
    bucket: name,
    accountId: ctx.principal.accountId,
    prefix: settings.s3KeyPrefix,
  };
  if (!policyAllowsCloudTrail(bucket.policy, target)) {
    throw new InsufficientS3BucketPolicyException(name);
  }
}
