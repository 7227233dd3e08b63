import { existsSync } from 'node:fs';
import { readdir } from 'node:fs/promises';
import { delimiter, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Command, Option } from 'commander';
import { openDataDir } from '../data-dir.js';
import { BwrapDriver } from '../runtime/bwrap-driver.js';
import { readLogs } from '../runtime/container-logs.js';
import { containerLogDir } from '../runtime/task-runner.js';
import { readTaskById } from '../services/ecs/tasks-store.js';
import { fipsStatusLines } from '../tls/fips-status.js';

/** Adds `fedgate logs` and `fedgate doctor`. */
export function registerTaskCommands(program: Command, dataDir: Option): void {
  program
    .command('logs')
    .description(
      "Print a task's container output (each line prefixed by its container's name when there are several).",
    )
    .argument('<task-id>', 'the task id (32 hex digits) or its ARN')
    .option('--follow', 'keep printing until the containers end')
    .addOption(dataDir)
    .action(async (task: string, options: { follow?: boolean; dataDir: string }) =>
      printLogs(task, options),
    );

  program
    .command('doctor')
    .description(
      'Check whether this host can run task containers (and what to install if not); show the ' +
        'TLS policy and FIPS status.',
    )
    .action(async () => doctor());
}

async function printLogs(reference: string, options: { follow?: boolean; dataDir: string }) {
  const id = reference.split('/').at(-1) ?? reference;
  const dataDir = resolve(options.dataDir);
  const names = await containerNames(dataDir, id);
  if (names.length === 0) fail(`no task ${id} in ${dataDir}`);

  const abort = new AbortController();
  process.once('SIGINT', () => abort.abort());
  await Promise.all(
    names.map(async (name) => {
      const prefix = names.length > 1 ? `${name} | ` : '';
      const logs = readLogs(containerLogDir(dataDir, id, name), {
        follow: options.follow ?? false,
        signal: abort.signal,
      });
      for await (const event of logs) process.stdout.write(`${prefix}${event.line}\n`);
    }),
  );
}

/** The task's containers, from the store; the log directories when the store has no task. */
async function containerNames(dataDir: string, id: string): Promise<string[]> {
  const { db } = await openDataDir(dataDir);
  try {
    const stored = await readTaskById(db, id);
    if (stored) return (stored.definition.containerDefinitions ?? []).map((c) => c.name ?? '');
  } finally {
    await db.destroy();
  }
  return readdir(join(dataDir, 'tasks', id)).catch(() => []);
}

/**
 * Where `aws ecs execute-command` will find a session-manager-plugin: it runs the first one on
 * PATH. fedgate's own is in this package's `node_modules/.bin` after `npm ci`.
 */
function pluginLine(): string {
  const found = (process.env.PATH ?? '')
    .split(delimiter)
    .map((dir) => join(dir, 'session-manager-plugin'))
    .find((candidate) => existsSync(candidate));
  if (found) return `session-manager-plugin (for ECS Exec): ${found}`;

  const bundled = fileURLToPath(new URL('../../node_modules/.bin', import.meta.url));
  return `session-manager-plugin (for ECS Exec): not on PATH; run: export PATH=${bundled}:$PATH`;
}

/**
 * Reports what the container driver found, then the TLS policy and Node's OpenSSL FIPS status
 * as reported: a FIPS provider being loaded is not a FIPS 140 validation of this host.
 */
async function doctor(): Promise<void> {
  const support = await new BwrapDriver().check();
  const runtime = support.runtime;
  const lines = [
    `containers: ${support.supported ? 'supported' : 'NOT supported'}`,
    `runtime: ${runtime ? `${runtime.name} ${runtime.version} (${runtime.path})` : 'missing'}`,
    `namespaces: ${yesNo(support.namespaces)}`,
    `fips_enabled file in containers: ${yesNo(support.fipsFile)}`,
    `non-root users: ${yesNo(support.userSwitching)}`,
    `exec into containers: ${yesNo(support.exec)}`,
    ...support.problems.map((problem) => `problem: ${problem}`),
  ];
  if (support.missing.length > 0) {
    lines.push(`install: apt-get install -y ${support.missing.join(' ')}`);
  }
  lines.push(pluginLine(), ...fipsStatusLines());
  process.stdout.write(`${lines.join('\n')}\n`);
  if (!support.supported) process.exitCode = 1;
}

function yesNo(value: boolean): string {
  return value ? 'yes' : 'no';
}

function fail(message: string): never {
  process.stderr.write(`fedgate: ${message}\n`);
  process.exit(1);
}
