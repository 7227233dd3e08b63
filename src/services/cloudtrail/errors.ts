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
