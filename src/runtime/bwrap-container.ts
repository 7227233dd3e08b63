import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { constants } from 'node:os';
import type { Readable, Writable } from 'node:stream';
import { setTimeout as sleep } from 'node:timers/promises';
import { FIPS_FD, INFO_FD, OPTIONS_FD, type Launch } from './bwrap-args.js';
import { ContainerLogWriter } from './container-logs.js';
import { ContainerStartError, type ContainerExit, type RunningContainer } from './driver.js';
import { childPids, namespacePid } from './host-processes.js';
import { closeOutputPipe, closeWriteEnd, openOutputPipes, type OutputPipe } from './stdio-fifos.js';

// How often start() and stop() look for the container's main process while bwrap sets up.
const POLL_MS = 2;

// bwrap runs the command as pid 2 of the container, under its own init.
const MAIN_NAMESPACE_PID = 2;

// bwrap and setpriv prefix their own errors like this; the command never ran after one.
const RUNTIME_MESSAGE = /^(bwrap|setpriv): /;

/** What `launchSandbox` starts. */
export interface Sandbox {
  readonly id: string;
  readonly launch: Launch;
  readonly fipsEnabled: boolean;
  readonly logs: ContainerLogWriter;
  /** The path of coreutils' mkfifo. */
  readonly mkfifo: string;
}

/**
 * Starts `launch` with its output going to `logs`, and resolves once bwrap has set the sandbox up
 * and forked the command (or the container has already ended). Rejects only when bwrap failed
 * before it created the sandbox.
 */
export async function launchSandbox(sandbox: Sandbox): Promise<BwrapContainer> {
  const { id, launch, logs } = sandbox;
  const [stdout, stderr] = await openOutputPipes(sandbox.mkfifo).catch((err: unknown) =>
    abandon(logs, 'could not make pipes for its output', err),
  );
  const child = await spawnRuntime(launch, stdout, stderr).catch((err: unknown) =>
    abandon(logs, `could not run ${launch.file}`, err),
  );

  // Settled from here on, whatever happens below: bwrap may end at any moment.
  const sent = new Set<string>();
  const exited = settleExit(exitOf(child), logs, sent);
  await Promise.all([closeWriteEnd(stdout), closeWriteEnd(stderr)]);

  logs.attach('stdout', stdout.reader);
  logs.attach('stderr', stderr.reader);
  feed(child, OPTIONS_FD, launch.options);
  feed(child, FIPS_FD, sandbox.fipsEnabled ? '1\n' : '0\n');

  const pid = await readChildPid(child);
  if (pid === undefined) {
    const { reason } = await exited;
    throw new ContainerStartError(`the container could not start: ${reason ?? 'bwrap failed'}`);
  }

  const container = new BwrapContainer(id, pid, child, exited, sent);
  await container.waitForMain();
  return container;
}

/** Records why a container never got as far as bwrap, and fails its start. */
async function abandon(logs: ContainerLogWriter, what: string, cause: unknown): Promise<never> {
  await logs.close({ exitCode: null, signal: null, reason: what });
  throw new ContainerStartError(`the container ${what}`, { cause });
}

async function spawnRuntime(
  launch: Launch,
  stdout: OutputPipe,
  stderr: OutputPipe,
): Promise<ChildProcess> {
  try {
    return spawn(launch.file, launch.args, {
      // fd 3 carries bwrap's --info-fd answer, fd 4 the content of fips_enabled, fd 5 the
      // options.
      stdio: ['ignore', stdout.writeFd, stderr.writeFd, 'pipe', 'pipe', 'pipe'],
      // bwrap gets no environment of fedgate's: the container's comes from --setenv alone.
      env: {},
      // Its own session: a Ctrl-C at fedgate's terminal must not reach containers, which
      // fedgate stops itself, and a container must not reach that terminal.
      detached: true,
    });
  } catch (err) {
    await Promise.all([closeOutputPipe(stdout), closeOutputPipe(stderr)]);
    throw err;
  }
}

/**
 * How the container ended, once its output is all on disk. bwrap's last words are on stderr, so
 * all of it is read before the exit is judged.
 */
async function settleExit(
  ending: Promise<RuntimeExit>,
  logs: ContainerLogWriter,
  sent: ReadonlySet<string>,
): Promise<ContainerExit> {
  const [code, signal] = await ending;
  await logs.drained();

  const exit = decodeExit(code, signal, sent, logs.lastLine('stderr'));
  await logs.close(exit);
  return exit;
}

/** Writes `data` to the child's descriptor `fd` and closes it. */
function feed(child: ChildProcess, fd: number, data: string): void {
  const pipe = child.stdio[fd] as Writable | null;
  // EPIPE when bwrap ended before reading it; its exit says why.
  pipe?.on('error', () => undefined);
  pipe?.end(data);
}

/** The host pid in bwrap's `{"child-pid": N}`; undefined when bwrap ended before writing it. */
async function readChildPid(child: ChildProcess): Promise<number | undefined> {
  const info = child.stdio[INFO_FD] as Readable | null;
  if (!info) return undefined;

  let text = '';
  info.setEncoding('utf8');
  info.on('data', (chunk: string) => (text += chunk));
  info.on('error', () => undefined);
  await once(info, 'close');

  const match = /"child-pid":\s*(\d+)/.exec(text);
  return match ? Number(match[1]) : undefined;
}

/** A container run by bwrap. */
export class BwrapContainer implements RunningContainer {
  private settled = false;
  private mainPid: number | undefined;

  /**
   * `sent` collects the signals stop() delivers: bwrap reports a death by signal n as exit code
   * 128+n, so only a signal fedgate sent itself can be told apart from a command exiting so.
   */
  constructor(
    readonly id: string,
    readonly pid: number,
    private readonly child: ChildProcess,
    readonly exited: Promise<ContainerExit>,
    private readonly sent: Set<string>,
  ) {
    void exited.then(() => (this.settled = true));
  }

  /** Whether bwrap has ended; its output may still be draining. */
  private get ended(): boolean {
    return this.settled || this.child.exitCode !== null || this.child.signalCode !== null;
  }

  async stop(timeoutMs: number): Promise<void> {
    if (!this.ended) {
      const deadline = Date.now() + timeoutMs;
      await this.terminateMain(deadline);

      if (!(await settlesWithin(this.exited, deadline - Date.now()))) this.kill();
    }
    await this.exited;
  }

  /** Waits until bwrap has forked the command, or the container has ended. */
  async waitForMain(): Promise<void> {
    while (!this.ended && this.findMain() === undefined) await sleep(POLL_MS);
  }

  /** SIGTERM to the command only, as `docker stop` sends it to the container's main process. */
  private async terminateMain(deadline: number): Promise<void> {
    for (;;) {
      const main = this.findMain();
      if (main !== undefined) return this.signal(main, 'SIGTERM');
      if (this.ended || Date.now() >= deadline) return;
      await sleep(POLL_MS);
    }
  }

  /**
   * SIGKILL to bwrap's monitor, our own child, whose pid cannot have been reused. Its death kills
   * the sandbox's init (--die-with-parent), and with pid 1 gone the kernel kills the rest.
   */
  private kill(): void {
    this.sent.add('SIGKILL');
    this.child.kill('SIGKILL');
  }

  private signal(pid: number, signal: NodeJS.Signals): void {
    this.sent.add(signal);
    try {
      process.kill(pid, signal);
    } catch {
      // Already gone: the exit is on its way.
    }
  }

  private findMain(): number | undefined {
    if (this.mainPid === undefined) {
      this.mainPid = childPids(this.pid).find((pid) => namespacePid(pid) === MAIN_NAMESPACE_PID);
    }
    return this.mainPid;
  }
}

type RuntimeExit = [code: number | null, signal: NodeJS.Signals | null];

function exitOf(child: ChildProcess): Promise<RuntimeExit> {
  return new Promise((resolve) => {
    child.once('exit', (code, signal) => resolve([code, signal]));
    // spawn() failures (the program vanished) come as 'error' with no 'exit'.
    child.once('error', () => resolve([null, null]));
  });
}

/** Whether `promise` settles within `ms`; the timer does not outlive it. */
async function settlesWithin(promise: Promise<unknown>, ms: number): Promise<boolean> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<false>(
    (resolve) => (timer = setTimeout(resolve, Math.max(0, ms), false)),
  );
  try {
    return await Promise.race([promise.then(() => true), timeout]);
  } finally {
    clearTimeout(timer);
  }
}

/**
 * Turns how bwrap ended into how the container ended. bwrap exits with the command's code, or
 * 128+n when signal n killed it; it exits 1 after printing `bwrap: …` when the command never ran.
 */
export function decodeExit(
  code: number | null,
  signal: NodeJS.Signals | null,
  sent: ReadonlySet<string>,
  lastStderrLine: string,
): ContainerExit {
  if (signal) return { exitCode: null, signal };
  if (code === null) {
    return { exitCode: null, signal: null, reason: 'the runtime could not be run' };
  }
  if (code === 1 && RUNTIME_MESSAGE.test(lastStderrLine)) {
    return { exitCode: null, signal: null, reason: lastStderrLine };
  }

  const name = code > 128 ? signalName(code - 128) : undefined;
  if (name && sent.has(name)) return { exitCode: null, signal: name };
  return { exitCode: code, signal: null };
}

function signalName(signo: number): string | undefined {
  return Object.entries(constants.signals).find(([, value]) => value === signo)?.[0];
}
