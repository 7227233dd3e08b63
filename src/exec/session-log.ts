import type { Db } from '../store/db.js';
import type { ExecSessionsTable } from '../store/schema.js';
import type { OpenedSession } from './sessions.js';

/** Records that a session began (its target, never its command). */
export async function logSessionStart(db: Db, session: OpenedSession): Promise<void> {
  await db
    .insertInto('exec_sessions')
    .values({
      session_id: session.sessionId,
      account_id: session.accountId,
      region: session.region,
      task_arn: session.taskArn,
      container_name: session.containerName,
      started_at: session.startedAt.getTime(),
      ended_at: null,
    })
    .execute();
}

/** Records that a session ended. */
export async function logSessionEnd(db: Db, sessionId: string, endedAt: Date): Promise<void> {
  await db
    .updateTable('exec_sessions')
    .set({ ended_at: endedAt.getTime() })
    .where('session_id', '=', sessionId)
    .execute();
}

/** Every logged session, newest first. */
export async function listSessionLog(db: Db): Promise<ExecSessionsTable[]> {
  return db.selectFrom('exec_sessions').selectAll().orderBy('started_at', 'desc').execute();
}
