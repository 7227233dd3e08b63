/**
 * Why a request failed Signature Version 4 authentication. The gateway maps each kind to the
 * AWS error code the called service would answer with.
 */
export type AuthFailureKind =
  /** No Authorization header and no X-Amz-Signature query parameter. */
  | 'missing'
  /** A malformed Authorization header or presigned query: a part is missing or badly shaped. */
  | 'incomplete'
  /** The access key id is not known. */
  | 'unknownKey'
  /** The signature (or the declared payload hash) does not match the request. */
  | 'badSignature'
  /** Signed too long ago, or a presigned URL past its expiry. */
  | 'expired'
  /** Signed more than five minutes in the future. */
  | 'notYetValid'
  /** The credential scope names another date, terminator or service than it must. */
  | 'badScope';

/**
 * A request that failed authentication. The message is the text AWS answers with and is safe to
 * send back: it never carries the secret key, the expected signature or the canonical request.
 */
export class AuthFailure extends Error {
  constructor(
    readonly kind: AuthFailureKind,
    message: string,
  ) {
    super(message);
    this.name = 'AuthFailure';
  }
}
