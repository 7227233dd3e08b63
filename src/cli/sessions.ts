import { resolve } from 'node:path';
import type { Command, Option } from 'commander';
import { openDataDir } from '../data-dir.js';
import { listSessionLog } from '../exec/session-log.js';
import type { ExecSessionsTable } from '../store/schema.js';

/** Adds `fedgate sessions`: the ECS Exec session log (who entered which container, when). */
export function registerSessionCommands(program: Command, dataDir: Option): void {
  program
    .command('sessions')
    .description(
      'List ECS Exec sessions, newest first: session id, start, end (or "open"), container, task.',
    )
    .addOption(dataDir)
    .action(async (options: { dataDir: string }) => printSessions(resolve(options.dataDir)));
}

async function printSessions(dataDir: string): Promise<void> {
  const { db } = await openDataDir(dataDir);
  try {
    const rows = await listSessionLog(db);
    process.stdout.write(rows.map(line).join(''));
  } finally {
    await db.destroy();
  }
}

/** One tab-separated line per session: easy to read and to cut. */
function line(row: ExecSessionsTable): string {
  const ended = row.ended_at === null ? 'open' : new Date(row.ended_at).toISOString();
  const started = new Date(row.started_at).toISOString();
  return `${row.session_id}\t${started}\t${ended}\t${row.container_name}\t${row.task_arn}\n`;
}
