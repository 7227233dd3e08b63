import { join } from 'node:path';
import type { ContainerUser } from './container-user.js';
import { HostPackageMissingError, type ContainerSpec } from './driver.js';
import type { RootEntry } from './image-paths.js';

/** The descriptor bwrap writes `{"child-pid": N, …}` to (`--info-fd`). */
export const INFO_FD = 3;

/** The descriptor bwrap copies `/proc/sys/crypto/fips_enabled` from (`--ro-bind-data`). */
export const FIPS_FD = 4;

/** The descriptor bwrap reads its options from (`--args`), NUL-separated. */
export const OPTIONS_FD = 5;

/**
 * The capabilities a root container keeps: Fargate's defaults (Docker's) without CAP_NET_RAW.
 * TODO: grant CAP_NET_RAW, because Fargate does; remove when tasks get their own network
 * namespace — until then a raw socket would see every packet of the host.
 */
export const DEFAULT_CAPABILITIES: readonly string[] = [
  'CAP_AUDIT_WRITE',
  'CAP_CHOWN',
  'CAP_DAC_OVERRIDE',
  'CAP_FOWNER',
  'CAP_FSETID',
  'CAP_KILL',
  'CAP_MKNOD',
  'CAP_NET_BIND_SERVICE',
  'CAP_SETFCAP',
  'CAP_SETGID',
  'CAP_SETPCAP',
  'CAP_SETUID',
  'CAP_SYS_CHROOT',
];

/** A writable, per-container tmpfs. */
export interface ScratchMount {
  readonly path: string;
  readonly mode: string;
}

/** Everything the bwrap command line is made from: the spec, the image and the host. */
export interface SandboxPlan {
  readonly spec: ContainerSpec;
  readonly user: ContainerUser;
  /** The image's top-level entries. */
  readonly rootEntries: readonly RootEntry[];
  /** The host's `/proc/sys` subdirectories to show read-only. */
  readonly procSys: readonly string[];
  /** Writable tmpfs mounts besides `/tmp` and `/run`: `/var/tmp`, a missing WorkingDir. */
  readonly scratch: readonly ScratchMount[];
}

/** A program, its arguments, and the bwrap options to hand it on `OPTIONS_FD`. */
export interface Launch {
  readonly file: string;
  readonly args: readonly string[];
  /**
   * The options, NUL-separated. They travel through a pipe rather than argv because they hold
   * the task's environment, and any user of the host can read a process's argv in /proc.
   */
  readonly options: string;
}

// Mount points the sandbox provides itself, whatever the image has there.
const OWN_MOUNTS = new Set(['proc', 'dev', 'tmp', 'run']);

/**
 * How to start the sandbox. A root container is bwrap run by root. A non-root one is bwrap run
 * by that uid through `setpriv`: bwrap then makes a user namespace mapping the uid to itself, so
 * the process really is that uid, on the host as in the container (as with Docker without
 * userns-remap). bwrap's own `--uid` would only relabel host root inside a user namespace.
 */
export function launchCommand(
  plan: SandboxPlan,
  bwrap: string,
  setpriv: string | undefined,
): Launch {
  // bwrap takes no command from an --args file, so the command stays visible, as in `ps`.
  const args = ['--args', String(OPTIONS_FD), '--', ...plan.spec.command];
  const options = bwrapOptions(plan).join('\0');
  const { uid, gid, groups } = plan.user;
  if (uid === 0 && gid === 0 && groups.length === 0) return { file: bwrap, args, options };
  if (!setpriv) throw new HostPackageMissingError('setpriv', 'util-linux');

  const groupArgs = groups.length > 0 ? ['--groups', groups.join(',')] : ['--clear-groups'];
  const ids = ['--reuid', String(uid), '--regid', String(gid), ...groupArgs];
  return { file: setpriv, args: [...ids, '--', bwrap, ...args], options };
}

/** The bwrap options for `plan`; bwrap applies the mount operations in this order. */
export function bwrapOptions(plan: SandboxPlan): string[] {
  return [
    ...rootArgs(plan.spec.rootfs, plan.rootEntries),
    ...procArgs(plan.procSys),
    ...writableArgs(plan.scratch),
    // Last of the mounts: from here on nothing can be created on the root.
    '--remount-ro',
    '/',
    ...namespaceArgs(plan.spec.hostname),
    ...processArgs(plan),
  ];
}

function rootArgs(rootfs: string, entries: readonly RootEntry[]): string[] {
  // The root is a tmpfs carrying the image's top-level entries, not the image directory itself:
  // mount points the image lacks (/proc, /tmp, a WorkingDir) are made on the tmpfs, so the image,
  // which other containers share, is never written.
  const args = ['--tmpfs', '/'];

  for (const entry of entries) {
    if (OWN_MOUNTS.has(entry.name)) continue;
    const dest = `/${entry.name}`;

    if (entry.kind === 'symlink') args.push('--symlink', entry.target, dest);
    else args.push('--ro-bind', join(rootfs, entry.name), dest);
  }
  return args;
}

function procArgs(procSys: readonly string[]): string[] {
  const realSubtrees = procSys.flatMap((name) => [
    '--ro-bind',
    `/proc/sys/${name}`,
    `/proc/sys/${name}`,
  ]);

  return [
    // The sandbox's own procfs: /proc lists the container's processes only.
    '--proc',
    '/proc',
    // procfs accepts no new entries and this kernel has no /proc/sys/crypto, so /proc/sys becomes
    // a tmpfs that can hold the FIPS file (mode 0444, like the kernel's).
    '--tmpfs',
    '/proc/sys',
    '--dir',
    '/proc/sys/crypto',
    '--perms',
    '0444',
    '--ro-bind-data',
    String(FIPS_FD),
    '/proc/sys/crypto/fips_enabled',
    // The real subtrees come back read-only, as Docker shows them. Their per-namespace values
    // (kernel.hostname, the IPC limits) are still the container's: the kernel answers them for
    // the namespaces of the process reading.
    ...realSubtrees,
    '--remount-ro',
    '/proc/sys',
  ];
}

function writableArgs(scratch: readonly ScratchMount[]): string[] {
  const scratchArgs = scratch.flatMap(({ path, mode }) => ['--perms', mode, '--tmpfs', path]);

  return [
    // A minimal /dev (null, zero, random, tty, pts, shm) and nothing of the host's devices.
    '--dev',
    '/dev',
    // The root is read-only; these are the container's writable places, gone when it ends.
    '--perms',
    '1777',
    '--tmpfs',
    '/tmp',
    '--tmpfs',
    '/run',
    ...scratchArgs,
  ];
}

function namespaceArgs(hostname: string): string[] {
  return [
    // Own pid namespace: the command runs as pid 2 under bwrap's init, which reaps orphans and
    // ends the container when the command ends.
    '--unshare-pid',
    '--unshare-uts',
    '--hostname',
    hostname,
    '--unshare-ipc',
    // Hides the host's cgroup paths where the kernel has cgroup namespaces.
    '--unshare-cgroup-try',
    // The network namespace stays the host's: Fargate's awsvpc gives each task its own ENI, and
    // fedgate emulates no networking yet.
  ];
}

function processArgs(plan: SandboxPlan): string[] {
  const { spec, user } = plan;
  // Docker sets HOME from the user's passwd entry when the task's environment has none.
  const fullEnv = 'HOME' in spec.env ? spec.env : { ...spec.env, HOME: user.home };
  const env = Object.entries(fullEnv).flatMap(([name, value]) => ['--setenv', name, value]);

  // A non-root user runs with no capabilities at all, as on Docker; the flags would only grant
  // them inside bwrap's user namespace.
  const caps = DEFAULT_CAPABILITIES.flatMap((cap) => ['--cap-add', cap]);
  const capArgs = user.uid === 0 ? ['--cap-drop', 'ALL', ...caps] : [];

  return [
    // Containers end with fedgate: after a restart nothing could stop, reap or log them.
    '--die-with-parent',
    // Exactly the task's environment, and HOME. bwrap adds PWD (the working directory) itself.
    '--clearenv',
    ...env,
    '--chdir',
    spec.workingDirectory ?? '/',
    ...capArgs,
    '--info-fd',
    String(INFO_FD),
  ];
}
