import { RestXmlError } from '../../protocol/rest-xml.js';

/** The bucket does not exist. */
export class NoSuchBucket extends RestXmlError {
  constructor(bucket: string) {
    super('NoSuchBucket', 'The specified bucket does not exist', 404, { BucketName: bucket });
  }
}

/** The key does not exist in the bucket. */
export class NoSuchKey extends RestXmlError {
  constructor(key: string) {
    super('NoSuchKey', 'The specified key does not exist.', 404, { Key: key });
  }
}

/** The multipart upload does not exist (never begun, completed or aborted). */
export class NoSuchUpload extends RestXmlError {
  constructor(uploadId: string) {
    super(
      'NoSuchUpload',
      'The specified upload does not exist. The upload ID may be invalid, or the upload may ' +
        'have been aborted or completed.',
      404,
      { UploadId: uploadId },
    );
  }
}

/** Another account owns a bucket of that name (names are global). */
export class BucketAlreadyExists extends RestXmlError {
  constructor(bucket: string) {
    super(
      'BucketAlreadyExists',
      'The requested bucket name is not available. The bucket namespace is shared by all ' +
        'users of the system. Please select a different name and try again.',
      409,
      { BucketName: bucket },
    );
  }
}

/** The caller's own account already owns the bucket (outside us-east-1). */
export class BucketAlreadyOwnedByYou extends RestXmlError {
  constructor(bucket: string) {
    super(
      'BucketAlreadyOwnedByYou',
      'Your previous request to create the named bucket succeeded and you already own it.',
      409,
      { BucketName: bucket },
    );
  }
}

/** DeleteBucket on a bucket that still holds objects. */
export class BucketNotEmpty extends RestXmlError {
  constructor(bucket: string) {
    super('BucketNotEmpty', 'The bucket you tried to delete is not empty', 409, {
      BucketName: bucket,
    });
  }
}

/** The name breaks S3's bucket naming rules. */
export class InvalidBucketName extends RestXmlError {
  constructor(bucket: string) {
    super('InvalidBucketName', 'The specified bucket is not valid.', 400, { BucketName: bucket });
  }
}

/** GetBucketPolicy on a bucket without one. */
export class NoSuchBucketPolicy extends RestXmlError {
  constructor(bucket: string) {
    super('NoSuchBucketPolicy', 'The bucket policy does not exist', 404, { BucketName: bucket });
  }
}

/** The policy document is not a JSON policy. */
export class MalformedPolicy extends RestXmlError {
  constructor(message: string) {
    super('MalformedPolicy', message, 400);
  }
}

/** A Range outside the object. */
export class InvalidRange extends RestXmlError {
  constructor(range: string, size: number) {
    super('InvalidRange', 'The requested range is not satisfiable', 416, {
      RangeRequested: range,
      ActualObjectSize: String(size),
    });
  }
}

/** A parameter's value is not acceptable. */
export class InvalidArgument extends RestXmlError {
  constructor(message: string, name?: string, value?: string) {
    super(
      'InvalidArgument',
      message,
      400,
      name === undefined ? {} : { ArgumentName: name, ArgumentValue: value ?? '' },
    );
  }
}

/** The caller's account may not use this bucket. */
export class AccessDenied extends RestXmlError {
  constructor() {
    super('AccessDenied', 'Access Denied', 403);
  }
}

/** Content-MD5 is not a base64 MD5 digest. */
export class InvalidDigest extends RestXmlError {
  constructor() {
    super('InvalidDigest', 'The Content-MD5 you specified was invalid.', 400);
  }
}

/** The body does not match its Content-MD5 or checksum header. */
export class BadDigest extends RestXmlError {
  constructor(message = 'The Content-MD5 you specified did not match what we received.') {
    super('BadDigest', message, 400);
  }
}

/** A CompleteMultipartUpload part that was not uploaded, or whose ETag differs. */
export class InvalidPart extends RestXmlError {
  constructor() {
    super(
      'InvalidPart',
      'One or more of the specified parts could not be found.  The part may not have been ' +
        "uploaded, or the specified entity tag may not match the part's entity tag.",
      400,
    );
  }
}

/** CompleteMultipartUpload parts not in ascending order. */
export class InvalidPartOrder extends RestXmlError {
  constructor() {
    super(
      'InvalidPartOrder',
      'The list of parts was not in ascending order. Parts must be ordered by part number.',
      400,
    );
  }
}

/** A multipart part other than the last is under 5 MiB. */
export class EntityTooSmall extends RestXmlError {
  constructor() {
    super(
      'EntityTooSmall',
      'Your proposed upload is smaller than the minimum allowed object size.',
      400,
    );
  }
}

/** An If-Match / If-Unmodified-Since condition failed. */
export class PreconditionFailed extends RestXmlError {
  constructor(condition: string) {
    super(
      'PreconditionFailed',
      'At least one of the pre-conditions you specified did not hold',
      412,
      {
        Condition: condition,
      },
    );
  }
}

/** The request is not valid for a reason S3 reports as InvalidRequest. */
export class InvalidRequest extends RestXmlError {
  constructor(message: string) {
    super('InvalidRequest', message, 400);
  }
}

/** The LocationConstraint does not name the region the request was sent to. */
export class IllegalLocationConstraintException extends RestXmlError {
  constructor(constraint: string) {
    super(
      'IllegalLocationConstraintException',
      `The ${constraint} location constraint is incompatible for the region specific endpoint ` +
        'this request was sent to.',
      400,
    );
  }
}

/** A LocationConstraint S3 does not accept (us-east-1 is written as none). */
export class InvalidLocationConstraint extends RestXmlError {
  constructor() {
    super('InvalidLocationConstraint', 'The specified location-constraint is not valid', 400);
  }
}
