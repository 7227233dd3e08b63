/**
 * Task start: RunTask → RUNNING latency (image cached and uncached) and tasks
 * started per second on a fedgate of its own, beside moto_server's RunTask
 * (which records a task and starts nothing).
 */
import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { setTimeout as delay } from 'node:timers/promises';
import {
  busyboxEntries,
  gzipLayer,
  pushBusyboxImage,
  pushImage,
  startRegistry,
  type TestRegistry,
} from '../test/support/registry.js';
import { onCleanup } from './children.js';
import { send } from './http-client.js';
import { EXEC_CONTAINER, measureExec, type ExecResult } from './exec.js';
import { startFedgate, type Peer } from './peers.js';
import { REGION } from './operations.js';
import { signOperation, signPost, type Credentials, type Target } from './sign.js';
import { summarize, type LatencySummary } from './stats.js';

/** How many samples each part takes. */
export interface TaskPlan {
  /** Tasks timed on an image fedgate has not pulled yet. */
  readonly uncached: number;
  /** Sequential tasks timed once the image is cached. */
  readonly cached: number;
  /** RunTask calls (count 10 each) sent back to back for the start rate. */
  readonly batches: number;
}

/** What the task scenario measured. */
export interface TaskResult {
  readonly plan: TaskPlan;
  /** RunTask sent → first DescribeTasks answer with lastStatus RUNNING, fresh image (ms). */
  readonly uncached: LatencySummary;
  /** The same with the image in fedgate's cache (ms). */
  readonly cached: LatencySummary;
  /** Tasks started per second: `batches` × 10 tasks from the first RunTask to all RUNNING. */
  readonly startRate: {
    readonly tasks: number;
    readonly seconds: number;
    readonly perSecond: number;
  };
  readonly moto: MotoTaskResult;
}

/** moto's side: it answers RunTask and DescribeTasks, and runs nothing. */
export interface MotoTaskResult {
  readonly runTask: LatencySummary;
  /** The lastStatus values moto's RunTask answers carried. */
  readonly runTaskStatuses: readonly string[];
  /** The lastStatus of the first task over successive DescribeTasks calls, repeats folded. */
  readonly describeSequence: readonly string[];
  /** RunTask sent → DescribeTasks says RUNNING (ms), when it ever does. */
  readonly toRunning?: LatencySummary;
}

const ECS = 'AmazonEC2ContainerServiceV20141113';
const POLL_MS = 5;
const DEADLINE_MS = 30_000;
const BATCH = 10;
const NETWORK = { awsvpcConfiguration: { subnets: ['subnet-12345678'] } };

/** A signed ECS JSON 1.1 caller for one peer. */
type Call = (action: string, body: object) => Promise<Record<string, unknown>>;

interface Task {
  readonly taskArn: string;
  readonly lastStatus?: string;
  readonly stoppedReason?: string;
}

/** What the task fedgate measured: task start and ECS Exec, each when asked for. */
export interface TaskFedgateResult {
  readonly tasks?: TaskResult;
  readonly exec?: ExecResult;
}

/**
 * Runs the scenarios on a task fedgate of its own, beside a docker-registry:
 * task start (then moto's RunTask) unless `tasks` is false, and ECS Exec when
 * `execSamples` is given.
 */
export async function measureTasks(options: {
  root: string;
  accountId: string;
  credentials: Credentials;
  moto: Peer;
  plan: TaskPlan;
  tasks: boolean;
  execSamples?: number;
}): Promise<TaskFedgateResult> {
  const { plan, credentials } = options;
  process.stderr.write('bench: tasks: starting docker-registry and a task fedgate\n');
  const registry = await startRegistry();
  const dataDir = mkdtempSync(join(tmpdir(), 'fedgate-bench-tasks-'));
  onCleanup(() => rmSync(dataDir, { recursive: true, force: true }));
  let fedgate: Peer | undefined;
  try {
    await pushBusyboxImage(registry, 'bench/busybox', 'cached');
    const cachedImage = `${registry.host}/bench/busybox:cached`;
    fedgate = await startFedgate({
      root: options.root,
      dataDir,
      imagesDir: join(dataDir, 'images'),
      accountId: options.accountId,
      credentials,
    });
    const call = caller(fedgate.target, credentials);
    const tasks = options.tasks
      ? await measureTaskStart(call, registry, cachedImage, options.moto, credentials, plan)
      : undefined;
    fedgate.checkAlive();
    let exec: ExecResult | undefined;
    if (options.execSamples !== undefined) {
      exec = await execScenario(
        call,
        fedgate.target,
        credentials,
        cachedImage,
        options.execSamples,
      );
      fedgate.checkAlive();
    }
    return { ...(tasks ? { tasks } : {}), ...(exec ? { exec } : {}) };
  } finally {
    await fedgate?.stop();
    await registry.stop();
    rmSync(dataDir, { recursive: true, force: true });
  }
}

/**
 * One task with exec enabled (`sleep 300`), RUNNING before the clock starts;
 * `samples` one-shot sessions against it, then the task is stopped.
 */
async function execScenario(
  call: Call,
  target: Target,
  credentials: Credentials,
  image: string,
  samples: number,
): Promise<ExecResult> {
  process.stderr.write(`bench: exec: ${samples} × ExecuteCommand + data channel\n`);
  const family = await register(call, 'bench-exec', image, {
    name: EXEC_CONTAINER,
    command: ['sleep', '300'],
  });
  const [task] = await runTasks(call, family, 1, NETWORK, { enableExecuteCommand: true });
  const arn = task?.taskArn ?? '';
  try {
    await waitFor(call, [arn], 'RUNNING');
    return await measureExec({ target, credentials, taskArn: arn, samples });
  } finally {
    await stopAll(call, [arn]);
  }
}

/** Task start on the task fedgate: uncached, cached, start rate; then moto's RunTask. */
async function measureTaskStart(
  call: Call,
  registry: TestRegistry,
  cachedImage: string,
  motoPeer: Peer,
  credentials: Credentials,
  plan: TaskPlan,
): Promise<TaskResult> {
  process.stderr.write(`bench: tasks: ${plan.uncached} uncached starts\n`);
  const uncached: number[] = [];
  for (let i = 0; i < plan.uncached; i += 1) {
    const image = await pushFreshImage(registry, i);
    const family = await register(call, `bench-uncached-${i}`, image);
    uncached.push(await timeOneTask(call, family));
  }

  const family = await register(call, 'bench-cached', cachedImage);
  await timeOneTask(call, family); // Pulls the image: not a sample.
  process.stderr.write(`bench: tasks: ${plan.cached} cached starts\n`);
  const cached: number[] = [];
  for (let i = 0; i < plan.cached; i += 1) cached.push(await timeOneTask(call, family));

  process.stderr.write(`bench: tasks: ${plan.batches} × RunTask count ${BATCH}\n`);
  const startRate = await measureStartRate(call, family, plan.batches);

  process.stderr.write('bench: tasks: moto RunTask\n');
  const motoTarget = motoPeer.target;
  const moto = await measureMoto(
    caller(motoTarget, credentials),
    ec2Caller(motoTarget, credentials),
    cachedImage,
    plan,
  );
  return {
    plan,
    uncached: summarize(uncached),
    cached: summarize(cached),
    startRate,
    moto,
  };
}

/**
 * A busybox image whose layer carries a file of its own, so its manifest,
 * config and layer digests are all new: fedgate has to pull every byte.
 */
async function pushFreshImage(registry: TestRegistry, index: number): Promise<string> {
  const nonce = { path: 'etc/bench-nonce', body: `${index} ${randomUUID()}\n` };
  const tag = `fresh-${index}`;
  await pushImage(registry, 'bench/busybox', tag, {
    layers: [gzipLayer([...busyboxEntries(), nonce])],
  });
  return `${registry.host}/bench/busybox:${tag}`;
}

function caller(target: Target, credentials: Credentials): Call {
  return async (action, body) => {
    const operation = {
      name: action,
      service: 'ecs' as const,
      target: `${ECS}.${action}`,
      body: JSON.stringify(body),
    };
    const answer = await send(target, await signOperation(operation, target, credentials));
    if (answer.status !== 200) {
      throw new Error(`${action} answered ${answer.status}: ${answer.body.slice(0, 500)}`);
    }
    return JSON.parse(answer.body) as Record<string, unknown>;
  };
}

/** A signed EC2 query-protocol caller (moto's subnets); answers the XML. */
function ec2Caller(target: Target, credentials: Credentials): (query: string) => Promise<string> {
  const headers = { 'content-type': 'application/x-www-form-urlencoded; charset=utf-8' };
  return async (body) => {
    const request = await signPost(target, credentials, 'ec2', headers, body);
    const answer = await send(target, request);
    if (answer.status !== 200) throw new Error(`EC2 ${body} answered ${answer.status}`);
    return answer.body;
  };
}

/** Registers the Fargate definition (awsvpc, 256/512, one `sleep 30`); answers its family. */
async function register(
  call: Call,
  family: string,
  image: string,
  containerExtra: object = {},
): Promise<string> {
  await call('RegisterTaskDefinition', {
    family,
    requiresCompatibilities: ['FARGATE'],
    networkMode: 'awsvpc',
    cpu: '256',
    memory: '512',
    containerDefinitions: [
      // A short stop timeout bounds StopTask should SIGTERM not end `sleep`.
      {
        name: 'app',
        image,
        essential: true,
        command: ['sleep', '30'],
        stopTimeout: 2,
        ...containerExtra,
      },
    ],
  });
  return family;
}

async function runTasks(
  call: Call,
  family: string,
  count: number,
  network: object = NETWORK,
  extra: object = {},
): Promise<Task[]> {
  const out = await call('RunTask', {
    taskDefinition: family,
    launchType: 'FARGATE',
    networkConfiguration: network,
    ...(count > 1 ? { count } : {}),
    ...extra,
  });
  const failures = (out.failures as unknown[] | undefined) ?? [];
  const tasks = (out.tasks as Task[] | undefined) ?? [];
  if (failures.length > 0 || tasks.length !== count) {
    throw new Error(`RunTask started ${tasks.length} of ${count}: ${JSON.stringify(failures)}`);
  }
  return tasks;
}

async function describe(call: Call, arns: readonly string[]): Promise<Task[]> {
  const tasks: Task[] = [];
  for (let i = 0; i < arns.length; i += 100) {
    const out = await call('DescribeTasks', { tasks: arns.slice(i, i + 100) });
    tasks.push(...((out.tasks as Task[] | undefined) ?? []));
  }
  return tasks;
}

/**
 * Polls DescribeTasks every 5 ms until every task is `status`; fails at the
 * 30 s deadline or, when waiting for RUNNING, as soon as one has stopped.
 */
async function waitFor(call: Call, arns: readonly string[], status: string): Promise<void> {
  const deadline = performance.now() + DEADLINE_MS;
  for (;;) {
    const tasks = await describe(call, arns);
    if (tasks.length === arns.length && tasks.every((t) => t.lastStatus === status)) return;
    const stopped = tasks.find((t) => t.lastStatus === 'STOPPED');
    if (status === 'RUNNING' && stopped) {
      throw new Error(`task stopped before RUNNING: ${stopped.stoppedReason ?? 'no reason'}`);
    }
    if (performance.now() > deadline) {
      const states = tasks.map((t) => t.lastStatus).join(', ');
      throw new Error(`tasks not ${status} within ${DEADLINE_MS / 1000} s: ${states}`);
    }
    await delay(POLL_MS);
  }
}

/** RunTask → first RUNNING (ms); then StopTask and wait for STOPPED, untimed. */
async function timeOneTask(call: Call, family: string): Promise<number> {
  const started = performance.now();
  const [task] = await runTasks(call, family, 1);
  const arn = task?.taskArn ?? '';
  await waitFor(call, [arn], 'RUNNING');
  const ms = performance.now() - started;
  await stopAll(call, [arn]);
  return ms;
}

async function stopAll(call: Call, arns: readonly string[]): Promise<void> {
  for (const arn of arns) await call('StopTask', { task: arn, reason: 'bench' });
  await waitFor(call, arns, 'STOPPED');
}

async function measureStartRate(
  call: Call,
  family: string,
  batches: number,
): Promise<TaskResult['startRate']> {
  const started = performance.now();
  const arns: string[] = [];
  for (let i = 0; i < batches; i += 1) {
    arns.push(...(await runTasks(call, family, BATCH)).map((t) => t.taskArn));
  }
  await waitFor(call, arns, 'RUNNING');
  const seconds = (performance.now() - started) / 1000;
  await stopAll(call, arns);
  return { tasks: arns.length, seconds, perSecond: arns.length / seconds };
}

/**
 * The same RegisterTaskDefinition and RunTask against moto, after CreateCluster
 * `default`; after each RunTask,
 * DescribeTasks is polled (5 ms apart, 20 times at most) for RUNNING.
 */
async function measureMoto(
  call: Call,
  ec2: (query: string) => Promise<string>,
  image: string,
  plan: TaskPlan,
): Promise<MotoTaskResult> {
  // moto has no implicit default cluster (RunTask answers ClusterNotFoundException); fedgate does.
  await call('CreateCluster', { clusterName: 'default' });
  // moto makes an ENI per awsvpc task: the subnet must exist in its EC2, and securityGroups be set.
  const subnets = await ec2('Action=DescribeSubnets&Version=2016-11-15');
  const subnet = /<subnetId>([^<]+)<\/subnetId>/.exec(subnets)?.[1];
  if (!subnet) throw new Error(`moto has no subnet in ${REGION}: ${subnets.slice(0, 300)}`);
  const network = { awsvpcConfiguration: { subnets: [subnet], securityGroups: [] } };
  // moto's RunTask fails with a 500 (TypeError adding None) unless the container
  // sets memory itself; ECS accepts the task-level 512 alone, as fedgate does.
  const family = await register(call, 'bench-cached', image, { memory: 512 });
  const runTask: number[] = [];
  const toRunning: number[] = [];
  const runTaskStatuses = new Set<string>();
  const describeSequence: string[] = [];
  for (let i = 0; i < plan.cached; i += 1) {
    const started = performance.now();
    const [task] = await runTasks(call, family, 1, network);
    runTask.push(performance.now() - started);
    runTaskStatuses.add(task?.lastStatus ?? 'none');
    const arn = task?.taskArn ?? '';
    for (let poll = 0; poll < 20; poll += 1) {
      const [seen] = await describe(call, [arn]);
      const status = seen?.lastStatus ?? 'none';
      if (i === 0 && describeSequence.at(-1) !== status) describeSequence.push(status);
      if (seen?.lastStatus === 'RUNNING') {
        toRunning.push(performance.now() - started);
        break;
      }
      await delay(POLL_MS);
    }
    await call('StopTask', { task: arn, reason: 'bench' });
  }
  return {
    runTask: summarize(runTask),
    runTaskStatuses: [...runTaskStatuses],
    describeSequence,
    ...(toRunning.length > 0 ? { toRunning: summarize(toRunning) } : {}),
  };
}
