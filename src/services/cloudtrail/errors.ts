import { AwsError } from '../../protocol/errors.js';

/** CloudTrail's error for a parameter it cannot accept. */
export class InvalidParameterException extends AwsError {
  constructor(message: string) {
    super('InvalidParameterException', message, 400);
  }
}

/** LookupEvents: more than one lookup attribute, or an attribute value that is not valid. */
export class InvalidLookupAttributesException extends AwsError {
  constructor(message: string) {
    super('InvalidLookupAttributesException', message, 400);
  }
}

/** LookupEvents: the start time is after the end time, or the range cannot be. */
export class InvalidTimeRangeException extends AwsError {
  constructor(message: string) {
    super('InvalidTimeRangeException', message, 400);
  }
}

/** LookupEvents: MaxResults outside 1–50. */
export class InvalidMaxResultsException extends AwsError {
  constructor(message: string) {
    super('InvalidMaxResultsException', message, 400);
  }
}

/** A NextToken that is not valid for the call's other parameters. */
export class InvalidNextTokenException extends AwsError {
  constructor(message: string) {
    super('InvalidNextTokenException', message, 400);
  }
}

/** LookupEvents: an EventCategory other than `insight`. */
export class InvalidEventCategoryException extends AwsError {
  constructor(message: string) {
    super('InvalidEventCategoryException', message, 400);
  }
}

/** A trail name that breaks CloudTrail's naming rules. */
export class InvalidTrailNameException extends AwsError {
  constructor(message: string) {
    super('InvalidTrailNameException', message, 400);
  }
}

/** A trail ARN that is not shaped like one. */
export class CloudTrailARNInvalidException extends AwsError {
  constructor(arn: string) {
    super(
      'CloudTrailARNInvalidException',
      `Invalid trail ARN: ${arn}. The format of a trail ARN is ` +
        'arn:<partition>:cloudtrail:<region>:<account ID>:trail/<trail name>.',
      400,
    );
  }
}

/** CreateTrail: the account already has a trail of that name where it would be seen. */
export class TrailAlreadyExistsException extends AwsError {
  constructor(name: string, accountId: string) {
    super(
      'TrailAlreadyExistsException',
      `Trail ${name} already exists for customer: ${accountId}`,
      400,
    );
  }
}

/** No trail of that name or ARN is visible to the caller in this region. */
export class TrailNotFoundException extends AwsError {
  constructor(name: string, accountId: string) {
    super('TrailNotFoundException', `Unknown trail: ${name} for the user: ${accountId}`, 400);
  }
}

/** A change to a trail asked for outside its home region. */
export class InvalidHomeRegionException extends AwsError {
  constructor(arn: string, homeRegion: string) {
    super(
      'InvalidHomeRegionException',
      `This operation must be called from the trail's home region ${homeRegion}: ${arn}`,
      400,
    );
  }
}

/** A region already has as many trails as CloudTrail allows (5). */
export class MaximumNumberOfTrailsExceededException extends AwsError {
  constructor(accountId: string, limit: number, region: string) {
    super(
      'MaximumNumberOfTrailsExceededException',
      `User: ${accountId} already has ${limit} trails in ${region}.`,
      400,
    );
  }
}

/** The trail's bucket does not exist. */
export class S3BucketDoesNotExistException extends AwsError {
  constructor(bucket: string) {
    super('S3BucketDoesNotExistException', `S3 bucket ${bucket} does not exist.`, 400);
  }
}

/** The bucket's policy does not let CloudTrail check the bucket and write the account's logs. */
export class InsufficientS3BucketPolicyException extends AwsError {
  constructor(bucket: string) {
    super(
      'InsufficientS3BucketPolicyException',
      `Incorrect S3 bucket policy is detected for bucket: ${bucket}`,
      400,
    );
  }
}

/** A bucket name S3 would never have accepted. */
export class InvalidS3BucketNameException extends AwsError {
  constructor(bucket: string) {
    super('InvalidS3BucketNameException', `Invalid S3 bucket name: ${bucket}`, 400);
  }
}

/** An S3 key prefix over 200 characters or otherwise unusable. */
export class InvalidS3PrefixException extends AwsError {
  constructor(message: string) {
    super('InvalidS3PrefixException', message, 400);
  }
}

/** Parameters that cannot go together (a multi-region trail without global service events). */
export class InvalidParameterCombinationException extends AwsError {
  constructor(message: string) {
    super('InvalidParameterCombinationException', message, 400);
  }
}

/** Event selectors CloudTrail cannot accept. */
export class InvalidEventSelectorsException extends AwsError {
  constructor(message: string) {
    super('InvalidEventSelectorsException', message, 400);
  }
}

/** A KMS key fedgate cannot find: it has no KMS, so it finds none. */
export class KmsKeyNotFoundException extends AwsError {
  constructor(keyId: string) {
    super(
      'KmsKeyNotFoundException',
      `KMS key ${keyId} does not exist. fedgate has no KMS: omit --kms-key-id, log files are ` +
        'written unencrypted to the bucket (digests are still signed).',
      400,
    );
  }
}

/** An SNS topic fedgate cannot publish to: it has no SNS. */
export class InsufficientSnsTopicPolicyException extends AwsError {
  constructor(topic: string) {
    super(
      'InsufficientSnsTopicPolicyException',
      `SNS topic ${topic} does not exist: fedgate has no SNS, omit --sns-topic-name.`,
      400,
    );
  }
}

/** A CloudWatch Logs log group fedgate cannot deliver to: it has no CloudWatch Logs. */
export class InvalidCloudWatchLogsLogGroupArnException extends AwsError {
  constructor(arn: string) {
    super(
      'InvalidCloudWatchLogsLogGroupArnException',
      `Log group ${arn} does not exist: fedgate has no CloudWatch Logs, omit the log group.`,
      400,
    );
  }
}

/** Organization trails need AWS Organizations, which fedgate does not have. */
export class OrganizationsNotInUseException extends AwsError {
  constructor() {
    super(
      'OrganizationsNotInUseException',
      'This account is not a member of an organization: fedgate has no AWS Organizations.',
      404,
    );
  }
}

/** The resource a tag call names does not exist for the caller. */
export class ResourceNotFoundException extends AwsError {
  constructor(arn: string) {
    super('ResourceNotFoundException', `Resource not found: ${arn}`, 400);
  }
}

/** A tag key or value CloudTrail does not accept. */
export class InvalidTagParameterException extends AwsError {
  constructor(message: string) {
    super('InvalidTagParameterException', message, 400);
  }
}

/** More than 50 tags on one resource. */
export class TagsLimitExceededException extends AwsError {
  constructor(arn: string) {
    super(
      'TagsLimitExceededException',
      `The number of tags on resource ${arn} would exceed the limit of 50.`,
      400,
    );
  }
}

/** A NextToken CloudTrail did not hand out for this call. */
export class InvalidTokenException extends AwsError {
  constructor() {
    super('InvalidTokenException', 'Invalid NextToken.', 400);
  }
}
