import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { lstat, mkdir, readFile, readlink, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { gzipSync } from 'node:zlib';
import { ImagePullError } from '../../../src/runtime/images/index.js';
import { unpackLayer } from '../../../src/runtime/images/layer-unpack.js';
import { sha256, tarLayer, type LayerEntry } from '../../support/registry.js';
import { entries, removeAll, tempDir } from './helpers.js';

describe('unpackLayer', () => {
  const dirs: string[] = [];
  let work: string;
  let outside: string;
  let case_ = 0;

  before(async () => {
    work = await tempDir();
    dirs.push(work);
  });
  after(() => removeAll(dirs));

  /** Unpacks a layer (gzipped unless `gzip` is false) into a target beside `outside/`. */
  async function unpack(layer: readonly LayerEntry[] | Buffer, gzip = true) {
    const dir = join(work, String(case_++));
    outside = join(dir, 'outside');
    const target = join(dir, 'target');
    await mkdir(outside, { recursive: true });
    await mkdir(target);
    await writeFile(join(outside, 'secret'), 'host file');

    const tar = Buffer.isBuffer(layer) ? layer : tarLayer(layer);
    const blob = join(dir, 'blob');
    await writeFile(blob, gzip ? gzipSync(tar) : tar);
    const result = await unpackLayer({ blob, target, digest: 'sha256:test' });
    return { target, tar, ...result };
  }

  async function refused(layer: readonly LayerEntry[], reason: RegExp): Promise<void> {
    await assert.rejects(unpack(layer), (err: unknown) => {
      assert.ok(err instanceof ImagePullError, String(err));
      assert.equal(err.kind, 'InvalidLayer');
      assert.match(err.message, reason);
      return true;
    });
    assert.deepEqual(await entries(outside), ['secret'], 'nothing written outside the target');
    assert.equal(await readFile(join(outside, 'secret'), 'utf8'), 'host file');
  }

  it('refuses an entry whose path contains ..', () =>
    refused(
      [{ path: '../outside/x', body: 'x' }],
      /refusing entry "\.\.\/outside\/x": path contains '\.\.'/,
    ));

  it('refuses an entry that climbs out from below', () =>
    refused([{ path: 'a/../../outside/x', body: 'x' }], /path contains '\.\.'/));

  it('refuses an absolute path', () => refused([{ path: '/etc/x', body: 'x' }], /absolute path/));

  it('refuses a hard link to a file outside the layer', () =>
    refused(
      [{ path: 'h', type: 'hardlink', target: '../outside/secret' }],
      /path contains '\.\.'/,
    ));

  it('refuses a hard link with an absolute target', () =>
    refused([{ path: 'h', type: 'hardlink', target: '/etc/passwd' }], /absolute path/));

  it('refuses a relative symlink that escapes the root', () =>
    refused([{ path: 'a/s', type: 'symlink', target: '../../outside' }], /link escapes the root/));

  it('refuses writing through a symlink of the same layer', async () => {
    const dir = join(work, String(case_), 'outside');
    const link: LayerEntry = { path: 'l', type: 'symlink', target: dir };
    await refused([link, { path: 'l/x', body: 'x' }], /path goes through a symbolic link/);
  });

  it('refuses a hard link whose target goes through a symlink', async () => {
    const dir = join(work, String(case_), 'outside');
    const link: LayerEntry = { path: 'l', type: 'symlink', target: dir };
    await refused([link, { path: 'h', type: 'hardlink', target: 'l/secret' }], /symbolic link/);
  });

  it('replaces a symlink with a directory of the same name instead of following it', async () => {
    const dir = join(work, String(case_), 'outside');
    const { target } = await unpack([
      { path: 'l', type: 'symlink', target: dir },
      { path: 'l/', type: 'dir' },
    ]);
    assert.ok((await lstat(join(target, 'l'))).isDirectory());
    assert.deepEqual(await entries(outside), ['secret']);
  });

  it('keeps setuid modes, owners, times, absolute symlinks and hard links', async () => {
    const { target } = await unpack([
      { path: 'bin/', type: 'dir' },
      { path: 'bin/su', body: 'x', mode: 0o4755, uid: 1000, gid: 50 },
      { path: 'bin/sh', type: 'symlink', target: '/bin/busybox' },
      { path: 'bin/su2', type: 'hardlink', target: 'bin/su' },
      { path: 'ro/', type: 'dir', mode: 0o555 },
      { path: 'ro/file', body: 'written before the directory became read-only' },
    ]);

    const su = await lstat(join(target, 'bin/su'));
    assert.equal(su.mode & 0o7777, 0o4755);
    assert.deepEqual([su.uid, su.gid], [1000, 50]);
    assert.equal(su.mtime.toISOString(), '2026-01-01T00:00:00.000Z');
    assert.equal((await lstat(join(target, 'bin/su2'))).ino, su.ino);
    assert.equal(await readlink(join(target, 'bin/sh')), '/bin/busybox');
    assert.equal((await lstat(join(target, 'ro'))).mode & 0o7777, 0o555);
    assert.match(await readFile(join(target, 'ro/file'), 'utf8'), /^written/);
  });

  it('answers the diff id and the directories the tar only implied', async () => {
    const layer: LayerEntry[] = [
      { path: './', type: 'dir' },
      { path: 'a/b/file', body: 'deep' },
      { path: 'c/', type: 'dir' },
    ];
    const gzip = await unpack(layer);
    assert.equal(gzip.diffId, sha256(gzip.tar));
    assert.deepEqual([...gzip.implicitDirectories].sort(), ['a', 'a/b']);

    const plain = await unpack(layer, false);
    assert.equal(plain.diffId, gzip.diffId);
  });

  it('lets a later entry of the same name replace an earlier one, as tar does', async () => {
    const { target } = await unpack([
      { path: 'f', body: 'first' },
      { path: 'f', body: 'second' },
      { path: 'd/inner', body: 'x' },
      { path: 'd', body: 'now a file' },
    ]);
    assert.equal(await readFile(join(target, 'f'), 'utf8'), 'second');
    assert.equal(await readFile(join(target, 'd'), 'utf8'), 'now a file');
  });

  it('refuses a gzip stream that breaks off or is corrupt in the middle of a file', async () => {
    const gzip = gzipSync(tarLayer([{ path: 'big', body: randomBytes(3_000_000) }]), { level: 0 });
    const corrupt = Buffer.from(gzip);
    for (let i = 1_000_000; i < 1_000_100; i++) corrupt[i] = (corrupt[i] ?? 0) ^ 0xff;

    for (const [blob, reason] of [
      [gzip.subarray(0, 1_500_000), /unexpected end of file/],
      [corrupt, /incorrect data check/],
    ] as const) {
      await assert.rejects(unpack(blob, false), (err: unknown) => {
        assert.ok(err instanceof ImagePullError);
        assert.equal(err.kind, 'InvalidLayer');
        assert.match(err.message, reason);
        return true;
      });
    }
  });

  it('refuses a truncated layer', async () => {
    const tar = tarLayer([{ path: 'big', body: 'x'.repeat(10_000) }]);
    const truncated = tar.subarray(0, 2048);
    await assert.rejects(unpack(truncated, false), (err: unknown) => {
      assert.ok(err instanceof ImagePullError);
      assert.equal(err.kind, 'InvalidLayer');
      return true;
    });
  });
});
