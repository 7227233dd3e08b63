import { constants, createReadStream } from 'node:fs';
import {
  chmod,
  chown,
  lchown,
  link,
  lstat,
  lutimes,
  mkdir,
  open,
  rm,
  symlink,
  utimes,
} from 'node:fs/promises';
import { once } from 'node:events';
import { createHash } from 'node:crypto';
import { posix } from 'node:path';
import { pipeline, type Readable } from 'node:stream';
import { createGunzip } from 'node:zlib';
import { Parser, type ReadEntry } from 'tar';
import { ImagePullError, storageError } from './errors.js';

/** One layer blob to unpack into `target`, an empty directory. */
export interface UnpackRequest {
  readonly blob: string;
  readonly target: string;
  /** The layer's digest, for messages. */
  readonly digest: string;
}

const GZIP_MAGIC = [0x1f, 0x8b];
const ZSTD_MAGIC = 0xfd2fb528;

/** A directory's metadata, applied once the layer is complete (see `finishDirectories`). */
interface DirectoryMeta {
  readonly mode: number;
  readonly uid: number;
  readonly gid: number;
  readonly mtime?: Date;
}

/** What unpacking one layer has seen so far. */
interface UnpackState {
  readonly root: string;
  readonly digest: string;
  /** Paths (relative to root) that are symbolic links: nothing may be written through them. */
  readonly symlinks: Set<string>;
  readonly directories: Map<string, DirectoryMeta>;
  /** Every directory some entry lies in, whether the tar has an entry for it or not. */
  readonly parents: Set<string>;
  /** Paths this layer has put on disk: any other path is known free without asking. */
  readonly made: Set<string>;
  /** Only root may give files away to other owners. */
  readonly asRoot: boolean;
}

/** What a layer holds besides its files. */
export interface UnpackedLayer {
  /** The sha256 of the uncompressed tar, as the image config's `rootfs.diff_ids` lists it. */
  readonly diffId: string;
  /**
   * Directories the tar has no entry for, made only to hold entries. Their owner and mode are
   * not the layer's to set: stacking keeps those of the lower layer's directory.
   */
  readonly implicitDirectories: readonly string[];
}

/**
 * Unpacks a layer tar into `request.target` exactly as stored, whiteout files included (they
 * are applied when layers are stacked), and answers its diff id and implicit directories.
 *
 * The tar package is used only to parse: every filesystem change is made here, so that no
 * entry can write outside the target. A layer is refused whole (`InvalidLayer`) when an entry
 * has an absolute path or a `..` component, goes through a symbolic link, or is a link whose
 * target leaves the root. Absolute symlink targets are kept: they point inside the container's
 * root once it is mounted, and nothing here ever follows them. Modes (setuid included), owners
 * (when running as root), symlinks, hard links and times are kept; device nodes and FIFOs are
 * skipped, because creating them needs privileges tasks should not rely on.
 */
export async function unpackLayer(request: UnpackRequest): Promise<UnpackedLayer> {
  const state: UnpackState = {
    root: request.target,
    digest: request.digest,
    symlinks: new Set(),
    directories: new Map(),
    parents: new Set(['']),
    made: new Set(['']),
    asRoot: process.getuid?.() === 0,
  };
  const source = await openSource(request);
  try {
    const diffId = await parseInto(source, state);
    const implicitDirectories = await finishDirectories(state);
    return { diffId, implicitDirectories };
  } catch (err) {
    if (err instanceof ImagePullError) throw err;
    throw storageError(`failed to extract layer ${request.digest}`, err);
  } finally {
    source.destroy();
  }
}

/**
 * Opens the blob as a tar stream. The compression is read from the blob's first bytes, as
 * containerd does, rather than trusted from the media type: some registries label plain tars
 * as gzip.
 */
async function openSource(request: UnpackRequest): Promise<Readable> {
  const head = Buffer.alloc(4);
  const handle = await open(request.blob, 'r');
  try {
    await handle.read(head, 0, head.length, 0);
  } finally {
    await handle.close();
  }

  if (head.readUInt32LE(0) === ZSTD_MAGIC) {
    throw new ImagePullError('UnsupportedMediaType', `layer ${request.digest} is zstd-compressed`);
  }
  const file = createReadStream(request.blob);
  if (head[0] !== GZIP_MAGIC[0] || head[1] !== GZIP_MAGIC[1]) return file;
  return pipeline(file, createGunzip(), () => undefined);
}

/** Feeds the tar stream to the parser while handling its entries one at a time, in order. */
async function parseInto(source: Readable, state: UnpackState): Promise<string> {
  const parser = new Parser({ strict: true });
  const hash = createHash('sha256');
  let work: Promise<void> = Promise.resolve();
  let failure: unknown;

  // `ended` rejects on the parser's first error; the no-op listener keeps a late one harmless.
  const ended = once(parser, 'end');
  ended.catch(() => undefined);
  parser.on('error', () => undefined);

  parser.on('entry', (entry: ReadEntry) => {
    work = work.then(async () => {
      if (failure !== undefined) return void entry.resume();
      try {
        await applyEntry(entry, state);
      } catch (err) {
        failure = err;
        entry.resume();
        parser.abort(err instanceof Error ? err : new Error(String(err)));
      }
    });
  });

  try {
    for await (const chunk of source) {
      hash.update(chunk as Buffer);
      // Backpressure: the parser says stop while an entry waits for its turn.
      if (!parser.write(chunk as Buffer)) await Promise.race([drained(parser), ended]);
    }
    parser.end();
    await ended;
  } catch (err) {
    // Ending the parser ends a half-read entry too, so the entry being written stops waiting.
    parser.end();
    await work;
    throw failure ?? tarError(state, err);
  }
  await work;
  if (failure !== undefined) throw failure;
  return `sha256:${hash.digest('hex')}`;
}

function drained(parser: Parser): Promise<void> {
  return new Promise((resolve) => parser.once('drain', () => resolve()));
}

async function applyEntry(entry: ReadEntry, state: UnpackState): Promise<void> {
  const path = safePath(entry.path, entry, state);
  checkParents(path, entry, state);

  switch (entry.type) {
    case 'Directory':
    case 'GNUDumpDir':
      return directory(path, entry, state);
    case 'File':
    case 'OldFile':
    case 'ContiguousFile':
      return file(path, entry, state);
    case 'SymbolicLink':
      return symbolicLink(path, entry, state);
    case 'Link':
      return hardLink(path, entry, state);
    default:
      entry.resume();
  }
}

async function directory(path: string, entry: ReadEntry, state: UnpackState): Promise<void> {
  await prepare(path, true, state);

  // Owner-writable while unpacking; the real mode is set by finishDirectories.
  await mkdir(full(state, path), { recursive: true, mode: 0o700 });
  state.directories.set(path, {
    mode: (entry.mode ?? 0o755) & 0o7777,
    uid: entry.uid ?? 0,
    gid: entry.gid ?? 0,
    ...(entry.mtime ? { mtime: entry.mtime } : {}),
  });
  entry.resume();
}

async function file(path: string, entry: ReadEntry, state: UnpackState): Promise<void> {
  refuseRoot(path, entry, state);
  await prepare(path, false, state);

  // O_EXCL and O_NOFOLLOW: the file is new, and never reached through a link.
  const flags = constants.O_WRONLY | constants.O_CREAT | constants.O_EXCL | constants.O_NOFOLLOW;
  const handle = await open(full(state, path), flags, 0o600);
  try {
    for await (const chunk of entry) await handle.write(chunk as Buffer);

    // chown before chmod: changing the owner clears the setuid and setgid bits.
    if (givesAway(entry, state)) await handle.chown(entry.uid ?? 0, entry.gid ?? 0);
    await handle.chmod((entry.mode ?? 0o644) & 0o7777);
    if (entry.mtime) await handle.utimes(entry.mtime, entry.mtime);
  } finally {
    await handle.close();
  }
}

async function symbolicLink(path: string, entry: ReadEntry, state: UnpackState): Promise<void> {
  refuseRoot(path, entry, state);
  const target = entry.linkpath ?? '';
  if (!target.startsWith('/')) {
    const resolved = posix.normalize(posix.join(posix.dirname(path), target));
    if (resolved === '..' || resolved.startsWith('../')) {
      refuse(entry, state, 'link escapes the root');
    }
  }

  await prepare(path, false, state);
  await symlink(target, full(state, path));
  state.symlinks.add(path);
  if (givesAway(entry, state)) await lchown(full(state, path), entry.uid ?? 0, entry.gid ?? 0);
  if (entry.mtime) await lutimes(full(state, path), entry.mtime, entry.mtime);
  entry.resume();
}

async function hardLink(path: string, entry: ReadEntry, state: UnpackState): Promise<void> {
  refuseRoot(path, entry, state);
  const target = safePath(entry.linkpath ?? '', entry, state);
  checkParents(target, entry, state);
  const existing = await lstat(full(state, target)).catch(() => undefined);
  if (!existing || existing.isDirectory()) {
    refuse(entry, state, `hard link to ${existing ? 'a directory' : 'a file not in this layer'}`);
  }

  await prepare(path, false, state);
  await link(full(state, target), full(state, path));
  if (state.symlinks.has(target)) state.symlinks.add(path);
  entry.resume();
}

/**
 * Normalizes an entry's path (`./bin/sh` → `bin/sh`, `./` → ``) and refuses absolute paths
 * and `..` components, which could reach outside the layer.
 */
function safePath(raw: string, entry: ReadEntry, state: UnpackState): string {
  if (raw.startsWith('/')) refuse(entry, state, 'absolute path');

  const parts = raw.split('/').filter((part) => part !== '' && part !== '.');
  if (parts.includes('..')) refuse(entry, state, "path contains '..'");
  return parts.join('/');
}

/** Refuses a path below a symbolic link of this layer: writing there would follow the link. */
function checkParents(path: string, entry: ReadEntry, state: UnpackState): void {
  const parts = path.split('/');
  for (let i = 1; i < parts.length; i++) {
    const parent = parts.slice(0, i).join('/');
    if (state.symlinks.has(parent)) refuse(entry, state, 'path goes through a symbolic link');
    state.parents.add(parent);
  }
}

/**
 * Makes room for a new entry at `path`: creates its parent directories, and removes what an
 * earlier entry of the same name left, as tar does when an archive repeats a name.
 */
async function prepare(path: string, isDirectory: boolean, state: UnpackState): Promise<void> {
  await makeParents(path, state);
  if (!state.made.has(path)) {
    state.made.add(path);
    return;
  }

  const existing = await lstat(full(state, path)).catch(() => undefined);
  if (!existing || (isDirectory && existing.isDirectory())) return;

  await rm(full(state, path), { recursive: true, force: true });
  for (const set of [state.symlinks, state.made]) {
    for (const item of set) if (item.startsWith(`${path}/`)) set.delete(item);
  }
  state.symlinks.delete(path);
}

/** Creates the parents of `path`, asking the filesystem only about ones not made yet. */
async function makeParents(path: string, state: UnpackState): Promise<void> {
  const parent = posix.dirname(path);
  if (parent === '.' || state.made.has(parent)) return;

  await mkdir(full(state, parent), { recursive: true, mode: 0o755 });
  const parts = parent.split('/');
  for (let i = 1; i <= parts.length; i++) state.made.add(parts.slice(0, i).join('/'));
}

/**
 * Applies directory modes, owners and times deepest first, after their contents exist, and
 * answers the directories that had no entry of their own.
 */
async function finishDirectories(state: UnpackState): Promise<string[]> {
  const implicit: string[] = [];
  const paths = [...new Set([...state.directories.keys(), ...state.parents])];
  paths.sort((a, b) => depth(b) - depth(a));

  for (const path of paths) {
    const target = full(state, path);
    // A later entry may have replaced a directory with a file.
    const stats = await lstat(target).catch(() => undefined);
    if (!stats?.isDirectory()) continue;

    const meta = state.directories.get(path);
    if (!meta) implicit.push(path);
    const { mode, uid, gid, mtime } = meta ?? { mode: 0o755, uid: 0, gid: 0 };
    if (state.asRoot) await chown(target, uid, gid);
    await chmod(target, mode);
    if (mtime) await utimes(target, mtime, mtime);
  }
  return implicit;
}

/** Whether an entry's owner differs from the one new files get (root's, when unpacking as root). */
function givesAway(entry: ReadEntry, state: UnpackState): boolean {
  return state.asRoot && ((entry.uid ?? 0) !== 0 || (entry.gid ?? 0) !== process.getgid?.());
}

function refuseRoot(path: string, entry: ReadEntry, state: UnpackState): void {
  if (path === '') refuse(entry, state, 'the root must be a directory');
}

function refuse(entry: ReadEntry, state: UnpackState, reason: string): never {
  throw new ImagePullError(
    'InvalidLayer',
    `failed to extract layer ${state.digest}: refusing entry "${entry.path}": ${reason}`,
  );
}

function tarError(state: UnpackState, err: unknown): ImagePullError {
  const detail = err instanceof Error ? err.message : String(err);
  return new ImagePullError('InvalidLayer', `failed to extract layer ${state.digest}: ${detail}`, {
    cause: err,
  });
}

function full(state: UnpackState, path: string): string {
  return path === '' ? state.root : posix.join(state.root, path);
}

function depth(path: string): number {
  return path === '' ? 0 : path.split('/').length;
}
