import { createHash } from 'node:crypto';
import { access, mkdir, mkdtemp, open, readFile, rename, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { ImagePullError, storageError } from './errors.js';

/**
 * The cache directory's layout, all on one filesystem so that renames are atomic:
 * `blobs/<alg>/<hex>` (verified blobs), `layers/<alg>/<hex>/` (one unpacked layer),
 * `rootfs/<alg>/<hex>/` (an image's assembled root, by image manifest digest) and `tmp/`
 * (work in progress, renamed into place only when complete).
 */
export class CacheLayout {
  constructor(readonly dir: string) {}

  blob(digest: string): string {
    return join(this.dir, 'blobs', ...digest.split(':'));
  }

  layer(digest: string): string {
    return join(this.dir, 'layers', ...digest.split(':'));
  }

  rootfs(manifestDigest: string): string {
    return join(this.dir, 'rootfs', ...manifestDigest.split(':'));
  }

  /**
   * A fresh directory under `tmp/` for work that is renamed into place when done.
   *
   * TODO: remove what a crashed process left in `tmp/`, because nothing else ever will; remove
   * when the runtime's startup sweeps the cache (and garbage-collects unused images).
   */
  async tempDir(prefix: string): Promise<string> {
    await mkdir(join(this.dir, 'tmp'), { recursive: true });
    return mkdtemp(join(this.dir, 'tmp', `${prefix}-`));
  }
}

/** Answers whether `path` exists. */
export async function exists(path: string): Promise<boolean> {
  return access(path).then(
    () => true,
    () => false,
  );
}

/**
 * Moves a finished `tempPath` to `finalPath`. Another process may have finished the same
 * work first: then its copy stays and ours is removed, since both hold the same content.
 */
export async function publish(tempPath: string, finalPath: string): Promise<void> {
  await mkdir(join(finalPath, '..'), { recursive: true });
  try {
    await rename(tempPath, finalPath);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code !== 'ENOTEMPTY' && code !== 'EEXIST') throw err;
    await rm(tempPath, { recursive: true, force: true });
  }
}

/** Verified blobs by digest. */
export class BlobStore {
  constructor(private readonly layout: CacheLayout) {}

  has(digest: string): Promise<boolean> {
    return exists(this.layout.blob(digest));
  }

  read(digest: string): Promise<Buffer> {
    return readFile(this.layout.blob(digest));
  }

  path(digest: string): string {
    return this.layout.blob(digest);
  }

  /**
   * Stores `chunks` as blob `digest`, hashing while writing; refuses more than `size` bytes,
   * and a hash or size that does not match. Nothing reaches `blobs/` unless it verified.
   */
  async write(
    digest: string,
    size: number,
    chunks: AsyncIterable<Buffer> | Iterable<Buffer>,
    onBytes: (bytes: number) => void = () => undefined,
  ): Promise<void> {
    const dir = await this.layout.tempDir('blob');
    const temp = join(dir, 'data');
    try {
      await copyVerified(temp, digest, size, chunks, onBytes);
      await publish(temp, this.layout.blob(digest));
    } catch (err) {
      if (err instanceof ImagePullError) throw err;
      throw storageError(`failed to store blob ${digest}`, err);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  }
}

async function copyVerified(
  path: string,
  digest: string,
  size: number,
  chunks: AsyncIterable<Buffer> | Iterable<Buffer>,
  onBytes: (bytes: number) => void,
): Promise<void> {
  const [algorithm = 'sha256'] = digest.split(':');
  const hash = createHash(algorithm);
  const file = await open(path, 'wx', 0o644);
  let written = 0;
  try {
    for await (const chunk of chunks) {
      written += chunk.length;
      // A registry that sends more than the manifest promised is cut off, not buffered.
      if (written > size) throw sizeMismatch(written, size);
      hash.update(chunk);
      await file.write(chunk);
      onBytes(written);
    }
    await file.sync();
  } finally {
    await file.close();
  }

  if (written !== size) throw sizeMismatch(written, size);
  const actual = `${algorithm}:${hash.digest('hex')}`;
  if (actual !== digest) {
    throw new ImagePullError(
      'DigestMismatch',
      `failed to copy: unexpected commit digest ${actual}, expected ${digest}: failed precondition`,
    );
  }
}

function sizeMismatch(written: number, size: number): ImagePullError {
  return new ImagePullError(
    'DigestMismatch',
    `failed to copy: unexpected commit size ${written}, expected ${size}: failed precondition`,
  );
}
