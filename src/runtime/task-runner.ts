import { join } from 'node:path';
import type { Logger } from 'pino';
import type { Container, ContainerDefinition, Task } from '../model/generated/ecs.js';
import type { StoredTask } from '../services/ecs/tasks-store.js';
import type { Clock } from '../util/clock.js';
import type { ContainerDriver, ContainerExit, RunningContainer } from './driver.js';
import { containerProcess, ImageStore, type PulledImage } from './images/index.js';
import type { TaskStates } from './task-state.js';

/** What a task runner uses. */
export interface RunnerDeps {
  readonly driver: ContainerDriver;
  readonly images: ImageStore;
  readonly states: TaskStates;
  readonly clock: Clock;
  readonly logger: Logger;
  /** The data directory; container logs go to `tasks/<task id>/<container>`. */
  readonly dataDir: string;
}

/** ECS's default stopTimeout: 30 seconds between SIGTERM and SIGKILL. */
const DEFAULT_STOP_TIMEOUT_S = 30;

/** The reason a task gets when fedgate shuts down while it runs. */
export const SHUTDOWN_REASON = 'Task stopped because fedgate shut down';

/** How long containers get to end when fedgate itself shuts down. */
const SHUTDOWN_GRACE_MS = 2000;

/** One started container of a task. */
interface Started {
  readonly definition: ContainerDefinition;
  readonly running: RunningContainer;
  exit?: ContainerExit;
}

/** Where a task's container writes its logs. */
export function containerLogDir(dataDir: string, taskId: string, container: string): string {
  return join(dataDir, 'tasks', taskId, container);
}

/**
 * Drives one task from PROVISIONING to STOPPED: pulls its images, starts its containers, waits
 * for an essential one to exit or for StopTask, stops the rest, and records each step.
 */
export class TaskRunner {
  private readonly started: Started[] = [];
  private stopRequested = false;
  private wake: () => void = () => undefined;
  private stopSignalled: () => void = () => undefined;
  /** Settles when StopTask (or shutdown) asks; a pull in progress is abandoned for it. */
  private readonly stopAsked = new Promise<'stop'>((resolve) => {
    this.stopSignalled = () => resolve('stop');
  });
  private shuttingDown = false;
  private finished: Promise<void> = Promise.resolve();

  constructor(
    private readonly deps: RunnerDeps,
    private readonly stored: StoredTask,
  ) {}

  /** StopTask committed: stop the containers (SIGTERM, then SIGKILL after stopTimeout). */
  requestStop(): void {
    this.stopRequested = true;
    this.stopSignalled();
    this.wake();
  }

  /**
   * fedgate is shutting down: kill the containers at once (they would die with it anyway) and
   * wait for the task to be recorded STOPPED.
   */
  async shutdown(): Promise<void> {
    this.shuttingDown = true;
    this.requestStop();
    await this.finished;
  }

  /** Runs the task to its end; failures end it STOPPED, and it rejects only when the store is gone. */
  run(): Promise<void> {
    this.finished = this.runGuarded();
    return this.finished;
  }

  private async runGuarded(): Promise<void> {
    try {
      await this.runSteps();
    } catch (err) {
      this.deps.logger.error({ err, taskId: this.stored.id }, 'task failed');
      await this.stopAll();
      await this.end('TaskFailedToStart', `fedgate could not run the task: ${String(err)}`);
    }
  }

  private async runSteps(): Promise<void> {
    const images = await this.pull();
    if (!images) return;
    // StopTask during the pull: the task ends before any container starts.
    if (this.stopRequested) return this.endStopped();

    await this.setStatus('ACTIVATING', {});
    if (!(await this.startContainers(images))) return;

    await this.markRunning();
    const essentialExited = await this.waitForEnd();
    await this.setStatus('DEACTIVATING', { stoppingAt: this.deps.clock.now() });
    await this.setStatus('STOPPING', {});
    await this.stopAll();
    await this.setStatus('DEPROVISIONING', { executionStoppedAt: this.deps.clock.now() });
    if (essentialExited) {
      return this.end('EssentialContainerExited', 'Essential container in task exited');
    }
    return this.endStopped();
  }

  private endStopped(): Promise<void> {
    if (this.shuttingDown) return this.end('TerminationNotice', SHUTDOWN_REASON);
    return this.end('UserInitiated', 'Task stopped by user');
  }

  /** Pulls every container's image; a failure ends the task with CannotPullContainerError. */
  private async pull(): Promise<PulledImage[] | undefined> {
    const now = this.deps.clock.now();
    await this.setStatus('PENDING', { pullStartedAt: now });

    const images: PulledImage[] = [];
    for (const container of this.containers()) {
      try {
        // A stop abandons the pull; it goes on in the background and fills the cache.
        const pulled = this.deps.images.pull(container.image ?? '');
        pulled.catch(() => undefined);
        const image = await Promise.race([pulled, this.stopAsked]);
        if (image === 'stop') return images;
        images.push(image);
      } catch (err) {
        const reason = `CannotPullContainerError: ${err instanceof Error ? err.message : err}`;
        await this.end('TaskFailedToStart', reason, (c) =>
          c.name === container.name ? { ...c, reason } : c,
        );
        return undefined;
      }
    }

    await this.setStatus('PENDING', { pullStoppedAt: this.deps.clock.now() });
    return images;
  }

  /** Starts every container; a start failure stops those started and ends the task. */
  private async startContainers(images: readonly PulledImage[]): Promise<boolean> {
    const definitions = this.containers();
    for (const [i, definition] of definitions.entries()) {
      const image = images[i];
      if (!image) continue;
      try {
        this.started.push({ definition, running: await this.startOne(definition, image) });
      } catch (err) {
        const reason = err instanceof Error ? err.message : String(err);
        await this.stopAll();
        await this.end('TaskFailedToStart', reason, (c) =>
          c.name === definition.name ? { ...c, reason } : c,
        );
        return false;
      }
    }
    return true;
  }

  private startOne(definition: ContainerDefinition, image: PulledImage) {
    const name = definition.name ?? '';
    const override = this.stored.task.overrides?.containerOverrides?.find((o) => o.name === name);
    const environment = Object.fromEntries(
      [...(definition.environment ?? []), ...(override?.environment ?? [])].map((pair) => [
        pair.name ?? '',
        pair.value ?? '',
      ]),
    );
    const process = containerProcess(image.config.config, {
      ...(definition.entryPoint ? { entryPoint: definition.entryPoint } : {}),
      ...((override?.command ?? definition.command)
        ? { command: override?.command ?? definition.command }
        : {}),
      environment,
      ...(definition.workingDirectory ? { workingDirectory: definition.workingDirectory } : {}),
      ...(definition.user ? { user: definition.user } : {}),
    });

    return this.deps.driver.start({
      id: `${this.stored.id}-${name}`,
      rootfs: image.rootfs,
      command: process.args,
      env: Object.fromEntries(process.env.map((entry) => splitEnv(entry))),
      workingDirectory: process.cwd,
      ...(process.user ? { user: process.user } : {}),
      // Fargate's hostname is the ENI's; fedgate has none, so it uses the task id's start.
      hostname: this.stored.id.slice(0, 12),
      fipsEnabled: this.stored.fips,
      logDir: containerLogDir(this.deps.dataDir, this.stored.id, name),
    });
  }

  private async markRunning(): Promise<void> {
    const now = this.deps.clock.now();
    const byName = new Map(this.started.map((s) => [s.definition.name, s.running]));
    const pids = Object.fromEntries(this.started.map((s) => [s.definition.name, s.running.pid]));
    const change = (task: Task): Task => ({
      ...task,
      lastStatus: 'RUNNING',
      startedAt: now,
      connectivity: 'CONNECTED',
      connectivityAt: now,
      attachments: (task.attachments ?? []).map((a) => ({ ...a, status: 'ATTACHED' })),
      containers: (task.containers ?? []).map((c) => runningContainer(task, c, byName, now)),
    });
    await this.deps.states.update(this.stored.id, change, pids);
  }

  /**
   * Waits until an essential container exits (true) or StopTask asks (false). A non-essential
   * container that exits is recorded STOPPED with its exit code, and the task goes on.
   */
  private async waitForEnd(): Promise<boolean> {
    for (;;) {
      if (this.stopRequested) return false;

      const pending = this.started.filter((s) => s.exit === undefined);
      const stop = new Promise<undefined>((resolve) => (this.wake = () => resolve(undefined)));
      const exited = await Promise.race([
        stop,
        ...pending.map((s) => s.running.exited.then((exit) => ({ s, exit }))),
      ]);
      if (!exited) continue;

      exited.s.exit = exited.exit;
      if (exited.s.definition.essential !== false) return true;
      await this.recordExit(exited.s);
    }
  }

  private async recordExit(started: Started): Promise<void> {
    const exitCode = exitCodeOf(started.exit);
    await this.deps.states.update(this.stored.id, (task) => ({
      ...task,
      containers: (task.containers ?? []).map((c) =>
        c.name === started.definition.name
          ? { ...c, lastStatus: 'STOPPED', ...(exitCode === undefined ? {} : { exitCode }) }
          : c,
      ),
    }));
  }

  /** Stops every container still running, each with its stopTimeout. */
  private async stopAll(): Promise<void> {
    await Promise.all(
      this.started.map(async (s) => {
        if (s.exit === undefined) {
          const seconds = s.definition.stopTimeout ?? DEFAULT_STOP_TIMEOUT_S;
          const timeout = this.shuttingDown ? SHUTDOWN_GRACE_MS : seconds * 1000;
          await s.running.stop(timeout);
        }
        s.exit = await s.running.exited;
      }),
    );
  }

  private async setStatus(lastStatus: string, times: Partial<Task>): Promise<void> {
    await this.deps.states.update(this.stored.id, (task) => ({ ...task, lastStatus, ...times }));
  }

  private async end(
    stopCode: Task['stopCode'],
    stoppedReason: string,
    containers: (container: Container) => Container = (c) => c,
  ): Promise<void> {
    const exits = new Map(this.started.map((s) => [s.definition.name, s.exit]));
    await this.deps.states.stopped(
      this.stored.id,
      this.deps.clock.now(),
      { stopCode, stoppedReason },
      (c) => {
        const exitCode = exitCodeOf(exits.get(c.name));
        const reason = exits.get(c.name)?.reason;
        return containers({
          ...c,
          ...(exitCode === undefined ? {} : { exitCode }),
          ...(reason ? { reason } : {}),
        });
      },
    );
  }

  private containers(): ContainerDefinition[] {
    return this.stored.definition.containerDefinitions ?? [];
  }
}

function runningContainer(
  task: Task,
  container: Container,
  byName: Map<string | undefined, RunningContainer>,
  now: Date,
): Container {
  const running = byName.get(container.name);
  const agents = task.enableExecuteCommand
    ? {
        managedAgents: [
          { name: 'ExecuteCommandAgent' as const, lastStatus: 'RUNNING', lastStartedAt: now },
        ],
      }
    : {};
  return { ...container, lastStatus: 'RUNNING', runtimeId: running?.id, ...agents };
}

/** ECS reports a container killed by a signal as 128 + the signal's number (Docker's rule). */
function exitCodeOf(exit: ContainerExit | undefined): number | undefined {
  if (!exit) return undefined;
  if (exit.exitCode !== null) return exit.exitCode;
  if (exit.signal === 'SIGKILL') return 137;
  if (exit.signal === 'SIGTERM') return 143;
  return undefined;
}

function splitEnv(entry: string): [string, string] {
  const eq = entry.indexOf('=');
  return eq === -1 ? [entry, ''] : [entry.slice(0, eq), entry.slice(eq + 1)];
}
