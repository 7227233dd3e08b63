/**
 * Why a pull failed. The task engineer turns any of these into ECS's stopped reason
 * `CannotPullContainerError: <message>`, so each message reads like the reasons Fargate's
 * containerd reports (`failed to resolve ref …: not found`), without that prefix.
 */
export type PullFailure =
  | 'InvalidReference'
  | 'NotFound'
  | 'Unauthorized'
  | 'Unreachable'
  | 'Timeout'
  | 'DigestMismatch'
  | 'UnsupportedMediaType'
  | 'PlatformNotFound'
  | 'InvalidImage'
  | 'InvalidLayer'
  | 'RegistryError'
  | 'Storage';

/** The one error class an image pull throws; `kind` says what went wrong. */
export class ImagePullError extends Error {
  /** What went wrong, for code that reacts differently (retry on `Unreachable`, …). */
  readonly kind: PullFailure;

  constructor(kind: PullFailure, message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = 'ImagePullError';
    this.kind = kind;
  }
}

/**
 * A reference that is not a Docker/OCI image reference. Docker and containerd both say
 * `invalid reference format`, optionally followed by the rule that was broken.
 */
export class InvalidReferenceError extends ImagePullError {
  constructor(detail?: string) {
    super(
      'InvalidReference',
      detail ? `invalid reference format: ${detail}` : 'invalid reference format',
    );
    this.name = 'InvalidReferenceError';
  }
}

/** Wraps a local filesystem failure (disk full, permissions) met while caching an image. */
export function storageError(context: string, cause: unknown): ImagePullError {
  const detail = cause instanceof Error ? cause.message : String(cause);
  return new ImagePullError('Storage', `${context}: ${detail}`, { cause });
}
