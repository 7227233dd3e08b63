import type { Container, Task } from '../model/generated/ecs.js';
import { readTaskById, saveTask, type StoredTask } from '../services/ecs/tasks-store.js';
import type { GroupCommit } from '../store/group-commit.js';

/**
 * State changes of a task the reconciler makes. Each reads the task afresh and writes it back
 * in one short transaction of its own, so a StopTask committed meanwhile is never lost. These
 * are not API calls, so they write no CloudTrail event.
 */
export class TaskStates {
  constructor(private readonly commits: GroupCommit) {}

  /** Applies `change` to the stored task and bumps its version; answers the task written. */
  update(
    id: string,
    change: (task: Task) => Task,
    pids?: Readonly<Record<string, number>>,
  ): Promise<StoredTask | undefined> {
    return this.commits.run(async (db) => {
      const stored = await readTaskById(db, id);
      if (!stored) return undefined;

      const task = { ...change(stored.task), version: (stored.task.version ?? 0) + 1 };
      const next = { ...stored, task, pids: pids ?? stored.pids };
      await saveTask(db, next);
      return next;
    });
  }

  /** The task as stored now. */
  read(id: string): Promise<StoredTask | undefined> {
    return this.commits.run((db) => readTaskById(db, id));
  }

  /**
   * Ends a task: STOPPED with every timestamp of the way down set, containers STOPPED. A stop
   * code and reason the task already has (StopTask's) win over these.
   */
  stopped(
    id: string,
    at: Date,
    why: { stopCode: Task['stopCode']; stoppedReason: string },
    containers: (container: Container) => Container = (c) => c,
  ) {
    return this.update(
      id,
      (task) => ({
        ...task,
        lastStatus: 'STOPPED',
        desiredStatus: 'STOPPED',
        stopCode: task.stopCode ?? why.stopCode,
        stoppedReason: task.stoppedReason ?? why.stoppedReason,
        stoppingAt: task.stoppingAt ?? at,
        executionStoppedAt: task.executionStoppedAt ?? at,
        stoppedAt: at,
        ...(task.connectivity ? { connectivity: 'DISCONNECTED' as const } : {}),
        containers: (task.containers ?? []).map((c) => ({
          ...containers(c),
          lastStatus: 'STOPPED',
        })),
        ...(task.attachments
          ? { attachments: task.attachments.map((a) => ({ ...a, status: 'DELETED' })) }
          : {}),
      }),
      {},
    );
  }
}
