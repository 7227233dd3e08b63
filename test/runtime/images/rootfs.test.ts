import assert from 'node:assert/strict';
import { lstat, mkdir, readFile, readlink, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { unpackLayer } from '../../../src/runtime/images/layer-unpack.js';
import { assembleRootfs, type StackedLayer } from '../../../src/runtime/images/rootfs.js';
import { tarLayer, type LayerEntry } from '../../support/registry.js';
import { entries, removeAll, tempDir } from './helpers.js';

describe('assembleRootfs', () => {
  const dirs: string[] = [];
  let work: string;
  let count = 0;

  before(async () => {
    work = await tempDir();
    dirs.push(work);
  });
  after(() => removeAll(dirs));

  /** Unpacks each layer (lowest first) and stacks them into a fresh rootfs. */
  async function stack(...layers: LayerEntry[][]): Promise<string> {
    const dir = join(work, String(count++));
    const stacked: StackedLayer[] = [];
    for (const [i, layer] of layers.entries()) {
      const blob = join(dir, `${i}.tar`);
      const target = join(dir, `layer-${i}`);
      await mkdir(target, { recursive: true });
      await writeFile(blob, tarLayer(layer));
      const unpacked = await unpackLayer({
        blob,
        target,
        digest: `layer-${i}`,
      });
      stacked.push({ dir: target, implicitDirectories: new Set(unpacked.implicitDirectories) });
    }
    const rootfs = join(dir, 'rootfs');
    await mkdir(rootfs);
    await assembleRootfs(stacked, rootfs);
    return rootfs;
  }

  it('hides everything lower layers put in an opaque directory, keeping its own entries', async () => {
    const rootfs = await stack(
      [
        { path: 'o/lower', body: 'lower' },
        { path: 'o/sub/deep', body: 'deep' },
      ],
      [
        { path: 'o/', type: 'dir', mode: 0o750 },
        { path: 'o/.wh..wh..opq' },
        { path: 'o/own', body: 'own' },
      ],
    );
    assert.deepEqual(await entries(join(rootfs, 'o')), ['own']);
    assert.equal((await lstat(join(rootfs, 'o'))).mode & 0o7777, 0o750);
  });

  it('deletes a whiteout file, directory or symlink without touching what a link points to', async () => {
    const rootfs = await stack(
      [
        { path: 'keep/data', body: 'kept' },
        { path: 'file', body: 'x' },
        { path: 'dir/inner', body: 'x' },
        { path: 'link', type: 'symlink', target: 'keep' },
      ],
      [{ path: '.wh.file' }, { path: '.wh.dir' }, { path: '.wh.link' }],
    );
    assert.deepEqual(await entries(rootfs), ['keep']);
    assert.equal(await readFile(join(rootfs, 'keep/data'), 'utf8'), 'kept');
  });

  it('replaces a lower symlink with an upper directory instead of writing through it', async () => {
    const outside = join(work, 'outside');
    await mkdir(outside, { recursive: true });
    const rootfs = await stack(
      [{ path: 'd', type: 'symlink', target: outside }],
      [{ path: 'd/file', body: 'inside' }],
    );
    assert.ok((await lstat(join(rootfs, 'd'))).isDirectory());
    assert.equal(await readFile(join(rootfs, 'd/file'), 'utf8'), 'inside');
    assert.deepEqual(await entries(outside), []);
  });

  it('lets an upper layer turn a file into a directory and a directory into a symlink', async () => {
    const rootfs = await stack(
      [
        { path: 'was-file', body: 'x' },
        { path: 'was-dir/inner', body: 'x' },
      ],
      [
        { path: 'was-file/now', body: 'nested' },
        { path: 'was-dir', type: 'symlink', target: '/elsewhere' },
      ],
    );
    assert.equal(await readFile(join(rootfs, 'was-file/now'), 'utf8'), 'nested');
    assert.equal(await readlink(join(rootfs, 'was-dir')), '/elsewhere');
  });

  it('keeps the lower owner and mode of a directory the upper layer only implies', async () => {
    const rootfs = await stack(
      [{ path: 'home/app/', type: 'dir', mode: 0o700, uid: 1000, gid: 1000 }],
      [{ path: 'home/app/.profile', body: 'export A=1' }],
    );
    const app = await lstat(join(rootfs, 'home/app'));
    assert.equal(app.mode & 0o7777, 0o700);
    assert.deepEqual([app.uid, app.gid], [1000, 1000]);
  });

  it('ignores AUFS bookkeeping entries', async () => {
    const rootfs = await stack([
      { path: '.wh..wh.plnk/', type: 'dir' },
      { path: '.wh..wh.aufs', body: '' },
      { path: 'real', body: 'x' },
    ]);
    assert.deepEqual(await entries(rootfs), ['real']);
  });
});
