import { spawn, type ChildProcess, type StdioOptions } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { once } from 'node:events';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pino, type Logger } from 'pino';
import { systemClock, type Clock } from '../util/clock.js';
import { launchCommand } from './bwrap-args.js';
import { launchSandbox } from './bwrap-container.js';
import { ContainerLogWriter, LOG_FILES } from './container-logs.js';
import {
  HostPackageMissingError,
  type ContainerDriver,
  type ContainerSpec,
  type HostSupport,
  type RunningContainer,
} from './driver.js';
import { isLive, namespaceOf, processCredentials, readStat } from './host-processes.js';
import {
  HOST_PROGRAMS,
  findExecutable,
  hostProcSys,
  locatePrograms,
  probeHost,
  type HostPrograms,
  type Probe,
} from './host-support.js';
import { planSandbox } from './preflight.js';

/** The PATH of processes entering a container and of probes: Docker's default. */
export const DEFAULT_PATH = '/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin';

/** Seams of `BwrapDriver`. */
export interface BwrapDriverOptions {
  /** Paths of bwrap, setpriv, nsenter and mkfifo; looked up on PATH when absent. */
  readonly programs?: Partial<HostPrograms>;
  /** Stamps the lines of `events.log`. */
  readonly clock?: Clock;
  readonly logger?: Logger;
}

/**
 * Runs each container as a bubblewrap sandbox on this host, as root: own pid, mount, UTS, IPC
 * (and cgroup) namespaces, the host's network; the image read-only under a tmpfs root with
 * tmpfs `/tmp`, `/run` and `/var/tmp`; `/proc/sys/crypto/fips_enabled` from the spec; root with
 * Fargate's default capabilities, or a non-root user through its own user namespace; stdout and
 * stderr through real pipes into the log directory. Containers die with fedgate.
 *
 * TODO: limit cpu and memory, because a task's sizes are not enforced; remove when the driver
 * puts each task in its own cgroup.
 * TODO: filter system calls, because Docker's default seccomp profile is not applied; remove
 * when bwrap gets a compiled filter through --seccomp.
 */
export class BwrapDriver implements ContainerDriver {
  readonly name = 'bwrap';
  private readonly programs: HostPrograms;
  private readonly clock: Clock;
  private readonly logger: Logger;
  private procSys: string[] | undefined;

  constructor(options: BwrapDriverOptions = {}) {
    this.programs = locatePrograms(options.programs);
    this.clock = options.clock ?? systemClock;
    this.logger = options.logger ?? pino({ level: 'silent' });
  }

  check(): Promise<HostSupport> {
    return probeHost(this.programs, this.probe);
  }

  async start(spec: ContainerSpec): Promise<RunningContainer> {
    const startedAt = performance.now();
    const { bwrap, setpriv, mkfifo } = this.programs;
    if (!bwrap) throw new HostPackageMissingError('bwrap', HOST_PROGRAMS.bwrap);
    if (!mkfifo) throw new HostPackageMissingError('mkfifo', HOST_PROGRAMS.mkfifo);

    const { id, fipsEnabled, logDir } = spec;
    const plan = await planSandbox(spec, this.hostProcSys());
    const launch = launchCommand(plan, bwrap, setpriv);
    const logs = await ContainerLogWriter.open(logDir, this.clock);
    const container = await launchSandbox({ id, launch, fipsEnabled, logs, mkfifo });

    const durationMs = Math.round(performance.now() - startedAt);
    this.logger.debug({ containerId: id, pid: container.pid, durationMs }, 'container started');
    void container.exited.then((exit) =>
      this.logger.debug({ containerId: id, ...exit }, 'container ended'),
    );
    return container;
  }

  isAlive(pid: number): boolean {
    // Ours: a live bwrap whose parent, bwrap's monitor, is a child of this process.
    const stat = readStat(pid);
    if (!stat || stat.comm !== 'bwrap' || !isLive(pid)) return false;
    return readStat(stat.ppid)?.ppid === process.pid;
  }

  private hostProcSys(): string[] {
    this.procSys ??= hostProcSys();
    return this.procSys;
  }

  private probe: Probe = async ({ command, user, enter }) => {
    const logDir = await mkdtemp(join(tmpdir(), 'fedgate-probe-'));
    try {
      const container = await this.start({
        id: `probe-${randomUUID()}`,
        rootfs: '/',
        command,
        env: { PATH: DEFAULT_PATH },
        hostname: 'fedgate-probe',
        fipsEnabled: true,
        user,
        logDir,
      });
      if (!enter) return await outputOf(container, logDir);
      return await enteredOutput(container, enter, this.programs.nsenter);
    } finally {
      await rm(logDir, { recursive: true, force: true });
    }
  };
}

async function outputOf(container: RunningContainer, logDir: string): Promise<string> {
  const exit = await container.exited;
  if (exit.exitCode !== 0) throw new Error(exit.reason ?? `ended with ${JSON.stringify(exit)}`);
  return readFile(join(logDir, LOG_FILES.stdout), 'utf8');
}

async function enteredOutput(
  container: RunningContainer,
  argv: readonly string[],
  nsenter: string | undefined,
): Promise<string> {
  try {
    const child = enterCommand(container.pid, argv, { nsenter, stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    child.stdout?.setEncoding('utf8').on('data', (chunk: string) => (output += chunk));

    const [code] = (await once(child, 'close')) as [number | null];
    if (code !== 0) throw new Error(`nsenter exited with ${code}`);
    return output;
  } finally {
    await container.stop(0);
  }
}

/** Options of `enterCommand`. */
export interface EnterOptions {
  /** The process's whole environment; only PATH (Docker's default) when absent. */
  readonly env?: Readonly<Record<string, string>>;
  readonly stdio?: StdioOptions;
  /** nsenter's path; looked up on PATH when absent. */
  readonly nsenter?: string;
}

/**
 * Runs `argv` inside a running container, the way ECS Exec will: `nsenter -t <pid> -a` enters
 * every namespace of the sandbox's init, its root and its working directory, and `argv[0]` is
 * searched in the container. It runs as root, or as the container's user when that user has a
 * user namespace of its own (a non-root `user`), where root does not exist.
 *
 * TODO: give the process the container's capabilities and no_new_privs, because in a root
 * container it keeps fedgate's full capabilities; remove when exec goes through a helper that
 * drops them after setns() (util-linux nsenter cannot).
 */
export function enterCommand(
  pid: number,
  argv: readonly string[],
  options: EnterOptions = {},
): ChildProcess {
  const [nsenter = '', ...args] = enterArgv(pid, argv, options.nsenter);
  return spawn(nsenter, args, {
    env: { ...(options.env ?? { PATH: DEFAULT_PATH }) },
    stdio: options.stdio ?? 'pipe',
  });
}

/** The nsenter command line `enterCommand` runs, for callers that wrap it (ECS Exec's pty). */
export function enterArgv(pid: number, argv: readonly string[], nsenterPath?: string): string[] {
  const nsenter = nsenterPath ?? findExecutable('nsenter');
  if (!nsenter) throw new HostPackageMissingError('nsenter', HOST_PROGRAMS.nsenter);

  return [nsenter, '--target', String(pid), '--all', ...credentialArgs(pid), '--wd', '--', ...argv];
}

/**
 * nsenter switches to uid 0 of a user namespace it enters, and a non-root container's namespace
 * maps nothing but the container's own ids: run as those instead.
 */
function credentialArgs(pid: number): string[] {
  if (namespaceOf(pid, 'user') === namespaceOf('self', 'user')) return [];

  const credentials = processCredentials(pid);
  if (!credentials) return [];
  return ['--setuid', String(credentials.uid), '--setgid', String(credentials.gid)];
}
