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

/** ECS's error for a cluster that does not exist (or not in this account and region). */
export class ClusterNotFoundException extends AwsError {
  constructor(message = 'Cluster not found.') {
    super('ClusterNotFoundException', message, 400);
  }
}

/** DeleteCluster: the cluster still has tasks that are not stopped. */
export class ClusterContainsTasksException extends AwsError {
  constructor(message = 'The Cluster cannot be deleted while Tasks are active.') {
    super('ClusterContainsTasksException', message, 400);
  }
}

/** ECS's error for a per-resource limit, such as 50 tags on one resource. */
export class LimitExceededException extends AwsError {
  constructor(message: string) {
    super('LimitExceededException', message, 400);
  }
}

/** ECS's error for a Fargate platform version that does not exist. */
export class PlatformUnknownException extends AwsError {
  constructor(message: string) {
    super('PlatformUnknownException', message, 400);
  }
}

/** ECS's error for a platform version that lacks what the task definition needs. */
export class PlatformTaskDefinitionIncompatibilityException extends AwsError {
  constructor(message: string) {
    super('PlatformTaskDefinitionIncompatibilityException', message, 400);
  }
}

/** ECS Exec: the task's execute-command agent (here: its container process) cannot be reached. */
export class TargetNotConnectedException extends AwsError {
  constructor(message = 'The execute command failed due to an internal error. Try again later.') {
    super('TargetNotConnectedException', message, 400);
  }
}
