import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ImagePullError, type PullFailure } from '../../../src/runtime/images/index.js';

/** A fresh temp directory, removed by the returned cleanup. */
export async function tempDir(prefix = 'fedgate-images-'): Promise<string> {
  return mkdtemp(join(tmpdir(), prefix));
}

/** Removes temp directories made by {@link tempDir}. */
export async function removeAll(dirs: string[]): Promise<void> {
  await Promise.all(dirs.splice(0).map((dir) => rm(dir, { recursive: true, force: true })));
}

/**
 * The real fetch, recording the path of every request it sends, so a test can assert which
 * registry calls a pull made (`/v2/<name>/blobs/…` vs `/v2/<name>/manifests/…`).
 */
export function countingFetch(): { fetch: typeof fetch; paths: string[] } {
  const paths: string[] = [];
  const counting: typeof fetch = (input, init) => {
    const url = input instanceof Request ? input.url : String(input);
    paths.push(new URL(url).pathname);
    return fetch(input, init);
  };
  return { fetch: counting, paths };
}

/** The requests among `paths` that fetched blobs. */
export function blobRequests(paths: readonly string[]): string[] {
  return paths.filter((path) => path.includes('/blobs/'));
}

/** Expects `promise` to fail with an ImagePullError of `kind`; answers its message. */
export async function rejectsWithKind(
  promise: Promise<unknown>,
  kind: PullFailure,
): Promise<string> {
  try {
    await promise;
  } catch (err) {
    if (!(err instanceof ImagePullError)) throw err;
    if (err.kind !== kind) throw new Error(`expected ${kind}, got ${err.kind}: ${err.message}`);
    return err.message;
  }
  throw new Error(`expected an ImagePullError ${kind}`);
}

/** The entries of `dir`, or none when it does not exist. */
export async function entries(dir: string): Promise<string[]> {
  return readdir(dir).catch(() => []);
}
