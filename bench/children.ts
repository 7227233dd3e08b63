import { spawn, type ChildProcess, type SpawnOptions } from 'node:child_process';

const running = new Set<ChildProcess>();
const cleanups: (() => void)[] = [];
const MAX_STDERR = 8192;

/** A started child process and what it wrote to stderr so far (for failure messages). */
export interface Child {
  readonly process: ChildProcess;
  stderr(): string;
  /** Resolves once the process ends, or could not start (`error`, e.g. ENOENT). */
  readonly exited: Promise<ChildEnd>;
}

/** How a child ended. */
export interface ChildEnd {
  readonly code: number | null;
  readonly error?: NodeJS.ErrnoException;
}

/**
 * Starts `command` in its own process group, tracked so that `stopAll` (and
 * the exit handlers installed by `installCleanup`) end it and its children.
 */
export function startChild(command: string, args: string[], options: SpawnOptions): Child {
  const child = spawn(command, args, {
    ...options,
    detached: true,
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  running.add(child);
  let stderr = '';
  child.stderr?.on('data', (chunk: Buffer) => {
    stderr = (stderr + chunk.toString('utf8')).slice(-MAX_STDERR);
  });
  const exited = new Promise<ChildEnd>((resolve) => {
    child.once('exit', (code) => resolve({ code }));
    child.once('error', (error) => resolve({ code: null, error }));
  });
  void exited.then(() => running.delete(child));
  return { process: child, stderr: () => stderr, exited };
}

/** Sends SIGTERM to one child's process group and waits (up to 5 s, then SIGKILL). */
export async function stopChild(child: Child): Promise<void> {
  if (!running.has(child.process)) return;
  signalGroup(child.process, 'SIGTERM');
  const timer = setTimeout(() => signalGroup(child.process, 'SIGKILL'), 5000);
  await child.exited;
  clearTimeout(timer);
}

/** Registers a synchronous cleanup (e.g. removing a scratch directory) to run on exit. */
export function onCleanup(cleanup: () => void): void {
  cleanups.push(cleanup);
}

/**
 * Kills every tracked child at once and runs the registered cleanups,
 * synchronously: safe inside an 'exit' handler.
 */
export function cleanUpNow(): void {
  for (const child of running) signalGroup(child, 'SIGKILL');
  running.clear();
  for (const cleanup of cleanups.splice(0)) cleanup();
}

function signalGroup(child: ChildProcess, signal: NodeJS.Signals): void {
  if (child.pid === undefined || child.exitCode !== null) return;
  try {
    process.kill(-child.pid, signal);
  } catch {
    // Already gone.
  }
}

/** Ends every child on exit, Ctrl-C, SIGTERM and uncaught errors. */
export function installCleanup(): void {
  process.on('exit', cleanUpNow);
  for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) {
    process.on(signal, () => {
      process.stderr.write(`\nbench: ${signal}, stopping child processes\n`);
      cleanUpNow();
      process.exit(130);
    });
  }
}
