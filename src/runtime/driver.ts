/**
 * The container driver: the seam between fedgate's data plane (tasks) and whatever runs their
 * containers. `BwrapDriver` runs them on this host with bubblewrap; a Kubernetes driver could sit
 * behind the same interface later.
 */

/** One container run, fully resolved by the caller: image unpacked, argv merged, env built. */
export interface ContainerSpec {
  /** Unique per container run. */
  readonly id: string;

  /**
   * The image's filesystem. Mounted read-only and never written; the container gets tmpfs on
   * `/tmp`, `/run` and `/var/tmp`, and on a `workingDirectory` the image lacks.
   */
  readonly rootfs: string;

  /** The argv to execute (entryPoint + command, already merged). Searched on the env's PATH. */
  readonly command: readonly string[];

  /**
   * The container's whole environment: nothing of the host's leaks in. bwrap adds PWD, and HOME
   * is the user's home directory from the image's `/etc/passwd` (`/` without one) when absent.
   */
  readonly env: Readonly<Record<string, string>>;

  /** An absolute path; `/` when absent. */
  readonly workingDirectory?: string;

  /**
   * `user`, `user:group`, `uid` or `uid:gid`, as in a task definition. Names are looked up in the
   * image's `/etc/passwd` and `/etc/group`; a numeric uid with no passwd entry gets gid 0.
   */
  readonly user?: string;

  readonly hostname: string;

  /** `/proc/sys/crypto/fips_enabled` reads `1\n` when true and `0\n` when false. */
  readonly fipsEnabled: boolean;

  /**
   * Where the output goes: `stdout.log` and `stderr.log` (the raw bytes, appended),
   * `events.log` (JSON lines `{t, stream, line}`) and, once it ends, `exit.json`.
   */
  readonly logDir: string;
}

/** How a container ended. */
export interface ContainerExit {
  /** The main process's exit code; null when a signal killed it or it never ran. */
  readonly exitCode: number | null;

  /**
   * The signal that killed it (`SIGTERM`, `SIGKILL` from `stop()`), or null. ECS reports these as
   * exit codes (137 for SIGKILL, 143 for SIGTERM): that mapping is the caller's. bwrap itself
   * reports a death by signal n as exit code 128+n, so a signal the driver did not send (a crash,
   * the OOM killer) arrives as that exit code, as Docker reports it too.
   */
  readonly signal: string | null;

  /**
   * Set when the command never ran (not found, a mount failed): the runtime's own message, which
   * is also the last line of `stderr.log`.
   */
  readonly reason?: string;
}

/** A started container. */
export interface RunningContainer {
  readonly id: string;

  /** The host pid of the sandbox's init (pid 1 inside); `nsenter -t <pid>` enters it. */
  readonly pid: number;

  /** Settles once the container has ended and its output is on disk; never rejects. */
  readonly exited: Promise<ContainerExit>;

  /**
   * Sends SIGTERM to the main process, then SIGKILL to everything after `timeoutMs`, as ECS does
   * with a container's `stopTimeout`. Resolves when the container has ended.
   */
  stop(timeoutMs: number): Promise<void>;
}

/** What this host can do, from `ContainerDriver.check()`. */
export interface HostSupport {
  /** True when containers can start here. */
  readonly supported: boolean;

  /** The runtime found, or null when it is missing. */
  readonly runtime: {
    readonly name: string;
    readonly path: string;
    readonly version: string;
  } | null;

  /** A sandbox with its own pid, mount, UTS and IPC namespaces ran. */
  readonly namespaces: boolean;

  /** `/proc/sys/crypto/fips_enabled` could be provided inside a sandbox. */
  readonly fipsFile: boolean;

  /** A container can run as a non-root `user`. */
  readonly userSwitching: boolean;

  /** A second process can enter a running container (ECS Exec). */
  readonly exec: boolean;

  /** Debian packages to install for what is missing. */
  readonly missing: readonly string[];

  /** One sentence per thing that does not work, with its reason. */
  readonly problems: readonly string[];
}

/** Runs containers. */
export interface ContainerDriver {
  readonly name: string;

  /** Probes the host: runtime, namespaces, the FIPS file, user switching, exec. */
  check(): Promise<HostSupport>;

  /** Starts a container; rejects with `ContainerStartError` when it cannot. */
  start(spec: ContainerSpec): Promise<RunningContainer>;

  /**
   * Whether `pid` is still a live container started by this process. Containers die with the
   * process that started them, so after a restart every recorded pid answers false.
   */
  isAlive(pid: number): boolean;
}

/** A container could not be started; the message says why. */
export class ContainerStartError extends Error {
  constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = 'ContainerStartError';
  }
}

/** A program the driver needs is not installed; names the Debian package that provides it. */
export class HostPackageMissingError extends ContainerStartError {
  readonly debianPackage: string;

  constructor(program: string, debianPackage: string) {
    super(
      `${program} is missing: install the Debian package '${debianPackage}' ` +
        `(apt-get install -y ${debianPackage})`,
    );
    this.name = 'HostPackageMissingError';
    this.debianPackage = debianPackage;
  }
}
