import { AwsError } from '../../protocol/errors.js';

/** ECS's error for a parameter it cannot accept. */
export class InvalidParameterException extends AwsError {
  constructor(message: string) {
    super('InvalidParameterException', message, 400);
  }
}

/** ECS's error for a request the caller may not make. */
export class AccessDeniedException extends AwsError {
  constructor(message: string) {
    super('AccessDeniedException', message, 400);
  }
}

/** ECS's generic client-side error (unknown resources, bad combinations). */
export class ClientException extends AwsError {
  constructor(message: string) {
    super('ClientException', message, 400);
  }
}
