import type { Logger } from 'pino';
import { unfinishedTasks, type StoredTask } from '../services/ecs/tasks-store.js';
import type { GroupCommit } from '../store/group-commit.js';
import type { Clock } from '../util/clock.js';
import type { ContainerDriver } from './driver.js';
import type { ImageStore } from './images/index.js';
import { TaskRunner } from './task-runner.js';
import { TaskStates } from './task-state.js';

/** What the reconciler uses. */
export interface ReconcilerDeps {
  readonly commits: GroupCommit;
  readonly driver: ContainerDriver;
  readonly images: ImageStore;
  readonly clock: Clock;
  readonly logger: Logger;
  readonly dataDir: string;
  /** How often it looks for work without being nudged; 1 s by default. */
  readonly intervalMs?: number;
}

/** How long shutdown waits for runners to record their tasks STOPPED. */
const CLOSE_WAIT_MS = 10_000;

/** The reason a task gets when its containers died with an earlier fedgate process. */
export const RESTART_REASON =
  'Task stopped because fedgate restarted and its container processes are gone';

/**
 * Drives tasks toward their desired state, outside any API call: a task PROVISIONING that
 * should run gets a runner; a task whose StopTask committed has its runner stop it; a task
 * past PROVISIONING with no runner in this process lost its containers when an earlier fedgate
 * ended (containers die with the process that started them), and is stopped saying so.
 */
export class Reconciler {
  private readonly runners = new Map<string, TaskRunner>();
  private readonly states: TaskStates;
  private timer: NodeJS.Timeout | undefined;
  private passing: Promise<void> | undefined;
  private again = false;
  private closed = false;

  constructor(private readonly deps: ReconcilerDeps) {
    this.states = new TaskStates(deps.commits);
  }

  /** Starts the loop; the first pass stops the tasks an earlier process left behind. */
  start(): void {
    this.timer = setInterval(() => this.nudge(), this.deps.intervalMs ?? 1000);
    this.timer.unref();
    this.nudge();
  }

  /** Asks for a pass soon; passes never overlap, and a nudge during one asks for another. */
  nudge(): void {
    if (this.closed) return;
    if (this.passing) {
      this.again = true;
      return;
    }
    this.passing = this.pass()
      .catch((err: unknown) => this.deps.logger.error({ err }, 'reconciler pass failed'))
      .finally(() => {
        this.passing = undefined;
        if (this.again) {
          this.again = false;
          this.nudge();
        }
      });
  }

  /**
   * Stops the loop and every container this process runs (SIGKILL after a short grace), and
   * waits for the runners to record their tasks STOPPED.
   */
  async close(): Promise<void> {
    this.closed = true;
    clearInterval(this.timer);
    await this.passing;
    const runs = Promise.all([...this.runners.values()].map((runner) => runner.shutdown()));
    // A runner stuck in a pull cannot be interrupted; its task is stopped by the next start's
    // first pass instead, so shutdown never waits on a registry.
    let timer: NodeJS.Timeout | undefined;
    const cap = new Promise<void>((resolve) => (timer = setTimeout(resolve, CLOSE_WAIT_MS)));
    await Promise.race([runs, cap]);
    clearTimeout(timer);
  }

  private async pass(): Promise<void> {
    const tasks = await this.deps.commits.run((db) => unfinishedTasks(db));
    for (const task of tasks) {
      if (this.closed) return;
      await this.reconcile(task);
    }
  }

  private async reconcile(stored: StoredTask): Promise<void> {
    const runner = this.runners.get(stored.id);
    if (runner) {
      if (stored.task.desiredStatus === 'STOPPED') runner.requestStop();
      return;
    }

    const now = this.deps.clock.now();
    if (stored.task.lastStatus !== 'PROVISIONING') {
      await this.states.stopped(stored.id, now, {
        stopCode: 'TerminationNotice',
        stoppedReason: RESTART_REASON,
      });
      return;
    }
    if (stored.task.desiredStatus === 'STOPPED') {
      await this.states.stopped(stored.id, now, {
        stopCode: 'UserInitiated',
        stoppedReason: 'Task stopped by user',
      });
      return;
    }
    this.launch(stored);
  }

  private launch(stored: StoredTask): void {
    const { driver, images, clock, logger, dataDir } = this.deps;
    const runner = new TaskRunner(
      { driver, images, states: this.states, clock, logger, dataDir },
      stored,
    );
    this.runners.set(stored.id, runner);
    void runner
      .run()
      // Only a store that is gone (fedgate closing) gets here; the next start stops the task.
      .catch((err: unknown) => this.deps.logger.error({ err, taskId: stored.id }, 'task lost'))
      .finally(() => this.runners.delete(stored.id));
  }
}
