import type {
  Container,
  ExecuteCommandRequest,
  ExecuteCommandResponse,
} from '../../model/generated/ecs.js';
import { isLive } from '../../runtime/host-processes.js';
import type { OperationContext } from '../service.js';
import { resolveCluster } from './clusters.js';
import { InvalidParameterException, TargetNotConnectedException } from './errors.js';
import { findTask, noteTask } from './tasks.js';
import type { StoredTask } from './tasks-store.js';

/** AWS's text when the task was run without `enableExecuteCommand` (the fact sheet's wording). */
export const EXEC_NOT_ENABLED =
  'The execute command failed because execute command was not enabled when the task was run ' +
  'or the execute command agent isn’t running. Wait and try again or run a new task with ' +
  'execute command enabled and try again.';

/** Where the data channel is served; the session id follows, as on ssmmessages. */
export const DATA_CHANNEL_PATH = '/v1/data-channel/';

/**
 * ExecuteCommand: issues an ECS Exec session for one container of a RUNNING task started with
 * `enableExecuteCommand`. The session's token opens the data channel on this server once; the
 * command starts only when the channel's handshake completes.
 */
export async function executeCommand(
  ctx: OperationContext,
  input: ExecuteCommandRequest,
): Promise<ExecuteCommandResponse> {
  if (!input.interactive) {
    throw new InvalidParameterException('Interactive is the only mode supported currently.');
  }
  const cluster = await resolveCluster(ctx, input.cluster);
  const found = await findTask(ctx, cluster, input.task);
  if (!found) throw new InvalidParameterException('The referenced task was not found.');
  const taskArn = found.task.taskArn ?? '';
  noteTask(ctx, taskArn);

  if (!found.task.enableExecuteCommand) throw new InvalidParameterException(EXEC_NOT_ENABLED);
  const container = pickContainer(found, input.container);
  const pid = found.pids[container.name ?? ''];
  // Sessions need a live process to enter; no process is what AWS calls an unreachable agent.
  if (found.task.lastStatus !== 'RUNNING' || pid === undefined || !isLive(pid)) {
    throw new TargetNotConnectedException();
  }

  const sessions = ctx.shared.sessions;
  if (!sessions) throw new TargetNotConnectedException();
  const issued = sessions.issue({
    accountId: ctx.principal.accountId,
    region: ctx.region.name,
    clusterArn: cluster.arn,
    taskArn,
    containerName: container.name ?? '',
    pid,
    command: input.command,
  });

  return {
    clusterArn: cluster.arn,
    containerArn: container.containerArn,
    containerName: container.name,
    interactive: true,
    taskArn,
    session: { ...issued, streamUrl: streamUrl(ctx.host, issued.sessionId, ctx.tls === true) },
  };
}

/** The named container, or the only one; a task of several needs a name (as on AWS). */
function pickContainer(found: StoredTask, name: string | undefined): Container {
  const containers = found.task.containers ?? [];
  if (name === undefined) {
    const [only] = containers;
    if (containers.length !== 1 || !only) {
      throw new InvalidParameterException(
        'The container name is required when the task has more than one container.',
      );
    }
    return only;
  }

  const named = containers.find((container) => container.name === name);
  if (!named) throw new InvalidParameterException(`The container ${name} was not found.`);
  return named;
}

/**
 * The data channel on the host and port the caller used: `wss://` when the call came over TLS
 * (the HTTPS listener serves the channel too, under the same certificate), else `ws://`.
 */
function streamUrl(host: string | undefined, sessionId: string, tls: boolean): string {
  const scheme = tls ? 'wss' : 'ws';
  const path = `${DATA_CHANNEL_PATH}${sessionId}?role=publish_subscribe`;
  return `${scheme}://${host ?? '127.0.0.1'}${path}`;
}
