import assert from 'node:assert/strict';
import { createServer, type Socket } from 'node:net';
import { setTimeout as delay } from 'node:timers/promises';
import {
  DescribeTasksCommand,
  RegisterTaskDefinitionCommand,
  RunTaskCommand,
  type ContainerDefinition,
  type ECSClient,
  type RunTaskCommandInput,
  type Task,
} from '@aws-sdk/client-ecs';
import { fargateTaskDefinition } from './task-definitions.js';

/** The network configuration every awsvpc task needs; fedgate records it, nothing more. */
export const TEST_NETWORK = { awsvpcConfiguration: { subnets: ['subnet-12345678'] } };

/** How long a task may take to reach a state before a test gives up (not a timing assertion). */
const DEADLINE_MS = 60_000;

/** Registers a one-container definition running `command` from `image` and runs it. */
export async function runContainer(
  ecs: ECSClient,
  container: Partial<ContainerDefinition> & { image: string },
  input: Partial<RunTaskCommandInput> = {},
): Promise<Task[]> {
  const definition = fargateTaskDefinition({
    containerDefinitions: [{ name: 'app', essential: true, ...container }],
  });
  const registered = await ecs.send(new RegisterTaskDefinitionCommand(definition));
  const out = await ecs.send(
    new RunTaskCommand({
      taskDefinition: registered.taskDefinition?.taskDefinitionArn ?? '',
      launchType: 'FARGATE',
      networkConfiguration: TEST_NETWORK,
      ...input,
    }),
  );
  assert.deepEqual(out.failures, []);
  return out.tasks ?? [];
}

/** Polls DescribeTasks until every task has `lastStatus`, or fails at the deadline. */
export async function waitForStatus(
  ecs: ECSClient,
  cluster: string | undefined,
  taskArns: readonly string[],
  lastStatus: string,
): Promise<Task[]> {
  const deadline = Date.now() + DEADLINE_MS;
  let tasks: Task[] = [];
  while (Date.now() < deadline) {
    tasks = [];
    for (let i = 0; i < taskArns.length; i += 100) {
      const chunk = taskArns.slice(i, i + 100);
      const out = await ecs.send(new DescribeTasksCommand({ cluster, tasks: chunk }));
      tasks.push(...(out.tasks ?? []));
    }
    if (tasks.length === taskArns.length && tasks.every((t) => t.lastStatus === lastStatus)) {
      return tasks;
    }
    await delay(100);
  }
  const states = tasks.map((t) => `${t.lastStatus}: ${t.stoppedReason ?? ''}`).join(', ');
  assert.fail(`tasks did not reach ${lastStatus} in time; they are ${states}`);
}

/** A registry that accepts connections and never answers: pulls from it wait. */
export interface StalledRegistry {
  /** `127.0.0.1:<port>`. */
  readonly host: string;
  /** Closes every connection (the waiting pulls fail) and stops listening. */
  stop(): Promise<void>;
}

/** Starts a {@link StalledRegistry} on a free loopback port. */
export async function startStalledRegistry(): Promise<StalledRegistry> {
  const sockets = new Set<Socket>();
  const server = createServer((socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : 0;
  return {
    host: `127.0.0.1:${port}`,
    stop: async () => {
      for (const socket of sockets) socket.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
