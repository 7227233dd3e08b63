import { AwsError } from './errors.js';

/** The X-Amz-Target (or Action) names no operation of the service. */
export class UnknownOperationException extends AwsError {
  constructor(message = 'The operation requested is not recognized.') {
    super('UnknownOperationException', message, 400);
  }
}

/** The body could not be read as the protocol's format. */
export class SerializationException extends AwsError {
  constructor(message: string) {
    super('SerializationException', message, 400);
  }
}

/** An operation the model defines that fedgate does not serve yet (listed in docs/coverage.md). */
export class NotImplemented extends AwsError {
  constructor(operation: string) {
    super('NotImplemented', `The ${operation} operation is not implemented by fedgate yet.`, 501);
  }
}

/** A request quota was exceeded (e.g. LookupEvents' 2 requests per second). */
export class ThrottlingException extends AwsError {
  constructor(message = 'Rate exceeded') {
    super('ThrottlingException', message, 400);
  }
}

/** The request body is larger than fedgate accepts. */
export class RequestEntityTooLargeException extends AwsError {
  constructor(limit: number) {
    super('RequestEntityTooLargeException', `Request must be smaller than ${limit} bytes.`, 413);
  }
}
