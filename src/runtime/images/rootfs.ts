import {
  chmod,
  chown,
  copyFile,
  lchown,
  link,
  lstat,
  mkdir,
  readdir,
  rm,
  utimes,
} from 'node:fs/promises';
import type { Stats } from 'node:fs';
import { join } from 'node:path';

/** OCI whiteouts: `.wh.<name>` deletes `<name>` from lower layers. */
const WHITEOUT_PREFIX = '.wh.';
/** `.wh..wh..opq` in a directory hides everything lower layers put in it. */
const OPAQUE_MARKER = '.wh..wh..opq';
/** Other `.wh..wh.` names are AUFS bookkeeping (`.wh..wh.plnk`), never part of the image. */
const AUFS_META_PREFIX = '.wh..wh.';

/** One unpacked layer to stack: its files, and the directories it only implied. */
export interface StackedLayer {
  readonly dir: string;
  readonly implicitDirectories: ReadonlySet<string>;
}

/**
 * Stacks unpacked layers (lowest first) into `target`, an empty directory, applying OCI
 * whiteouts and opaque directories as the image spec's "Applying changesets" describes.
 *
 * Files and symlinks are hard-linked from the layer directories rather than copied: the rootfs
 * is only ever mounted read-only, so sharing inodes costs nothing and keeps modes, owners and
 * the hard links inside a layer. Directories are real, since they cannot be linked. Nothing is
 * followed: every step looks at entries with lstat, so a symlink from a lower layer is replaced,
 * never written through.
 */
export async function assembleRootfs(
  layers: readonly StackedLayer[],
  target: string,
): Promise<void> {
  await chmod(target, 0o755);
  for (const layer of layers) await applyDirectory(layer, '', target);
}

async function applyDirectory(layer: StackedLayer, path: string, to: string): Promise<void> {
  const from = join(layer.dir, path);
  const entries = await readdir(from);

  // Whiteouts of this layer act on what lower layers left; this layer's own entries stay.
  if (entries.includes(OPAQUE_MARKER)) await emptyDirectory(to);
  for (const name of entries) {
    if (name.startsWith(WHITEOUT_PREFIX) && !name.startsWith(AUFS_META_PREFIX)) {
      await rm(join(to, name.slice(WHITEOUT_PREFIX.length)), { recursive: true, force: true });
    }
  }

  for (const name of entries) {
    if (name.startsWith(WHITEOUT_PREFIX)) continue;
    await applyEntry(layer, path === '' ? name : `${path}/${name}`, join(to, name));
  }
  await applyDirectoryMeta(layer, path, to);
}

async function applyEntry(layer: StackedLayer, path: string, destination: string): Promise<void> {
  const source = join(layer.dir, path);
  const stats = await lstat(source);
  const existing = await lstat(destination).catch(() => undefined);

  if (stats.isDirectory()) {
    if (existing && !existing.isDirectory()) await rm(destination, { force: true });
    if (!existing?.isDirectory()) await mkdir(destination, { mode: 0o755 });
    await applyDirectory(layer, path, destination);
    return;
  }

  if (existing) await rm(destination, { recursive: true, force: true });
  await linkOrCopy(source, destination, stats);
}

/**
 * Gives a directory the layer's owner, mode and times, after its contents are in place; a
 * directory the layer only implied keeps what a lower layer gave it.
 */
async function applyDirectoryMeta(layer: StackedLayer, path: string, to: string): Promise<void> {
  if (layer.implicitDirectories.has(path)) return;

  const stats = await lstat(join(layer.dir, path));
  if (process.getuid?.() === 0) await chown(to, stats.uid, stats.gid);
  await chmod(to, stats.mode & 0o7777);
  await utimes(to, stats.atime, stats.mtime);
}

async function emptyDirectory(dir: string): Promise<void> {
  const children = await readdir(dir).catch(() => []);
  for (const child of children) await rm(join(dir, child), { recursive: true, force: true });
}

/**
 * Hard-links `source` to `destination`; copies instead where linking is refused (another
 * filesystem, or a file already at the link limit), keeping mode and owner.
 */
async function linkOrCopy(source: string, destination: string, stats: Stats): Promise<void> {
  try {
    await link(source, destination);
    return;
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code !== 'EXDEV' && code !== 'EMLINK' && code !== 'EPERM') throw err;
    if (stats.isSymbolicLink()) throw err;
  }

  await copyFile(source, destination);
  if (process.getuid?.() === 0) await lchown(destination, stats.uid, stats.gid);
  await chmod(destination, stats.mode & 0o7777);
}
