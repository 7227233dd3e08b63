import { constants } from 'node:fs';
import { lstat, open, readdir, readlink } from 'node:fs/promises';
import { join, posix } from 'node:path';

/** A top-level entry of an image's filesystem, as the sandbox recreates it on its own root. */
export type RootEntry =
  | { readonly kind: 'directory' | 'file'; readonly name: string }
  | { readonly kind: 'symlink'; readonly name: string; readonly target: string };

/**
 * What an image has at an absolute path. Symlinks are never followed on the host: an image's
 * `/var -> /host` must mean the image's `/host`, so only the sandbox may resolve them.
 * - `directory`: every component is a real directory;
 * - `creatable`: the first component is missing, so the sandbox can make it on its own root;
 * - `symlinked`: a symlink is on the way;
 * - `absent`: missing under an image directory, which is read-only;
 * - `not-directory`: a file or device is on the way.
 */
export type ImagePathState = 'directory' | 'creatable' | 'symlinked' | 'absent' | 'not-directory';

/** The top-level entries of `rootfs`; sockets, pipes and devices are left out. */
export async function listRootEntries(rootfs: string): Promise<RootEntry[]> {
  const entries: RootEntry[] = [];
  for (const entry of await readdir(rootfs, { withFileTypes: true })) {
    const name = entry.name;
    if (entry.isDirectory()) entries.push({ kind: 'directory', name });
    else if (entry.isFile()) entries.push({ kind: 'file', name });
    else if (entry.isSymbolicLink()) {
      entries.push({ kind: 'symlink', name, target: await readlink(join(rootfs, name)) });
    }
  }
  return entries;
}

/** Judges `path` (absolute, inside the image) without following symlinks. */
export async function imagePathState(rootfs: string, path: string): Promise<ImagePathState> {
  const parts = posix.normalize(path).split('/').filter(Boolean);

  let current = rootfs;
  for (const [index, part] of parts.entries()) {
    current = join(current, part);
    const stats = await lstat(current).catch(() => undefined);

    if (!stats) return index === 0 ? 'creatable' : 'absent';
    if (stats.isSymbolicLink()) return 'symlinked';
    if (!stats.isDirectory()) return 'not-directory';
  }
  return 'directory';
}

/** Linux's limit on symbolic links followed while resolving one path (MAXSYMLINKS). */
const MAX_SYMLINKS = 40;

/**
 * Reads `path` as the container would see it: symbolic links are resolved inside `rootfs` (an
 * absolute target starts again at `rootfs`, `..` stops at it), never against the host, so an
 * image cannot make the host read its own `/etc/passwd`. Answers undefined when the file does
 * not exist, is not a regular file, or takes more than 40 links to reach.
 */
export async function readFileInRoot(rootfs: string, path: string): Promise<string | undefined> {
  const resolved = await resolveInRoot(rootfs, path);
  if (resolved === undefined) return undefined;

  // Checked before opening: opening a FIFO would block. O_NOFOLLOW keeps the open itself from
  // following a link, should one appear after the walk.
  const stats = await lstat(resolved);
  if (!stats.isFile()) return undefined;
  const file = await open(resolved, constants.O_RDONLY | constants.O_NOFOLLOW);
  try {
    return (await file.stat()).isFile() ? await file.readFile('utf8') : undefined;
  } finally {
    await file.close();
  }
}

/** The host path of `path` inside `rootfs`, every link on the way resolved inside `rootfs`. */
async function resolveInRoot(rootfs: string, path: string): Promise<string | undefined> {
  let pending = path.split('/').filter(Boolean);
  const current: string[] = [];
  let links = 0;

  while (pending.length > 0) {
    const part = pending.shift() as string;
    if (part === '.') continue;
    if (part === '..') {
      current.pop();
      continue;
    }

    const candidate = join(rootfs, ...current, part);
    const stats = await lstat(candidate).catch(() => undefined);
    if (!stats) return undefined;
    if (!stats.isSymbolicLink()) {
      current.push(part);
      continue;
    }

    if (++links > MAX_SYMLINKS) return undefined;
    const target = await readlink(candidate);
    if (target.startsWith('/')) current.length = 0;
    pending = [...target.split('/').filter(Boolean), ...pending];
  }
  return join(rootfs, ...current);
}
