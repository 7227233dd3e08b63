/**
 * The base of every error fedgate answers with. Each AWS error code has its own
 * subclass named exactly like the code, so `grep InvalidParameterException`
 * finds the class, the places that throw it and the tests that expect it.
 */
export class AwsError extends Error {
  /** The AWS error code, sent as `__type` (JSON) or `<Code>` (XML). */
  readonly code: string;

  /** The HTTP status AWS answers with for this code. */
  readonly status: number;

  /** Who is at fault, as the Query protocol's `<Type>` reports it. */
  readonly fault: 'Sender' | 'Receiver';

  constructor(code: string, message: string, status = 400, options?: ErrorOptions) {
    super(message, options);
    this.name = code;
    this.code = code;
    this.status = status;
    this.fault = status >= 500 ? 'Receiver' : 'Sender';
  }
}

/** An unexpected failure inside fedgate; the message never carries internals. */
export class InternalFailure extends AwsError {
  constructor(options?: ErrorOptions) {
    super(
      'InternalFailure',
      'The request processing has failed because of an unknown error.',
      500,
      options,
    );
  }
}
