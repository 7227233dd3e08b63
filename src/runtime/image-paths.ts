import { lstat, readFile, readdir, readlink } from 'node:fs/promises';
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

/** The text of a regular file in the image, or undefined when absent or reached by a symlink. */
export async function readImageFile(rootfs: string, path: string): Promise<string | undefined> {
  const normalized = posix.normalize(path);
  if ((await imagePathState(rootfs, posix.dirname(normalized))) !== 'directory') return undefined;

  const file = join(rootfs, normalized);
  const stats = await lstat(file).catch(() => undefined);
  if (!stats?.isFile()) return undefined;

  return readFile(file, 'utf8');
}
