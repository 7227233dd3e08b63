import { stat } from 'node:fs/promises';
import { posix } from 'node:path';
import type { SandboxPlan, ScratchMount } from './bwrap-args.js';
import { resolveUser } from './container-user.js';
import { ContainerStartError, type ContainerSpec } from './driver.js';
import { imagePathState, listRootEntries } from './image-paths.js';

// Linux's HOST_NAME_MAX.
const MAX_HOSTNAME = 64;

// Paths the sandbox always mounts itself; a WorkingDir under them needs nothing more.
const OWN_TREES = ['/tmp', '/run', '/var/tmp', '/proc', '/dev'];

/**
 * Checks `spec` and works out the sandbox for it, so that every mistake the driver can see is a
 * `ContainerStartError` from `start()` rather than a container that dies at once.
 */
export async function planSandbox(
  spec: ContainerSpec,
  procSys: readonly string[],
): Promise<SandboxPlan> {
  checkSpec(spec);
  await checkRootfs(spec.rootfs);

  const [rootEntries, user, scratch] = await Promise.all([
    listRootEntries(spec.rootfs),
    resolveUser(spec.rootfs, spec.user),
    scratchMounts(spec),
  ]);
  return { spec, user, rootEntries, procSys, scratch };
}

function checkSpec(spec: ContainerSpec): void {
  if (spec.id === '') fail('the container id is empty');
  if (spec.command.length === 0) fail('the command is empty');
  if (spec.command.some(hasNul)) fail('the command contains a NUL character');

  for (const [name, value] of Object.entries(spec.env)) {
    if (name === '' || name.includes('=') || hasNul(name)) {
      fail(`invalid environment name '${name}'`);
    }
    if (hasNul(value)) fail(`the value of environment variable ${name} contains a NUL character`);
  }

  const { hostname, workingDirectory } = spec;
  if (hostname === '' || hostname.length > MAX_HOSTNAME || hasNul(hostname)) {
    fail(`invalid hostname '${hostname}': 1 to ${MAX_HOSTNAME} characters`);
  }
  if (workingDirectory !== undefined && !posix.isAbsolute(workingDirectory)) {
    fail(`the working directory '${workingDirectory}' is not an absolute path`);
  }
}

async function checkRootfs(rootfs: string): Promise<void> {
  const stats = await stat(rootfs).catch(() => undefined);
  if (!stats?.isDirectory()) fail(`the image filesystem ${rootfs} is not a directory`);
}

/** `/var/tmp` where it can be mounted, and the WorkingDir when the image lacks it. */
async function scratchMounts(spec: ContainerSpec): Promise<ScratchMount[]> {
  const mounts: ScratchMount[] = [];

  // An image whose /var has no tmp keeps it that way: its /var is read-only.
  const varTmp = await imagePathState(spec.rootfs, '/var/tmp');
  if (varTmp === 'directory' || varTmp === 'creatable') {
    mounts.push({ path: '/var/tmp', mode: '1777' });
  }

  const workdir = await workdirMount(spec);
  if (workdir) mounts.push(workdir);
  return mounts;
}

/**
 * Docker creates a missing WorkingDir in the container's writable layer. Here the root is
 * read-only, so a missing one becomes an empty per-container tmpfs; that needs its mount point
 * on the sandbox's own root, which a top-level path has and a path inside an image directory
 * does not.
 */
async function workdirMount(spec: ContainerSpec): Promise<ScratchMount | undefined> {
  const path = spec.workingDirectory && posix.normalize(spec.workingDirectory);
  if (!path || OWN_TREES.some((tree) => path === tree || path.startsWith(`${tree}/`))) {
    return undefined;
  }

  const state = await imagePathState(spec.rootfs, path);
  if (state === 'creatable') return { path, mode: '0755' };
  if (state === 'absent') {
    fail(`the working directory ${path} is not in the image and its parent is read-only`);
  }
  if (state === 'not-directory') fail(`the working directory ${path} is not a directory`);
  return undefined;
}

function hasNul(text: string): boolean {
  return text.includes('\0');
}

function fail(message: string): never {
  throw new ContainerStartError(message);
}
