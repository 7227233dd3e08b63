import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { lstat, readFile, readlink } from 'node:fs/promises';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { promisify } from 'node:util';
import { ImageStore, type PullProgress } from '../../../src/runtime/images/index.js';
import {
  busyboxEntries,
  gzipLayer,
  pushBusyboxImage,
  pushImage,
  pushIndex,
  startRegistry,
  tarLayer,
  type PushedImage,
  type TestRegistry,
} from '../../support/registry.js';
import { blobRequests, countingFetch, entries, removeAll, tempDir } from './helpers.js';

const run = promisify(execFile);

describe('ImageStore.pull', () => {
  let registry: TestRegistry;
  let busybox: PushedImage;
  const dirs: string[] = [];

  before(async () => {
    registry = await startRegistry();
    busybox = await pushBusyboxImage(registry, 'team/busybox', '1.36');
  });
  after(async () => {
    await registry.stop();
    await removeAll(dirs);
  });

  async function newStore(fetcher?: typeof fetch): Promise<{ store: ImageStore; dir: string }> {
    const dir = await tempDir();
    dirs.push(dir);
    return { store: new ImageStore({ dir, ...(fetcher ? { fetch: fetcher } : {}) }), dir };
  }

  it('pulls an OCI image and assembles a rootfs whose busybox runs', async () => {
    const { store, dir } = await newStore();
    const image = await store.pull(`${registry.host}/team/busybox:1.36`);

    assert.equal(image.reference, `${registry.host}/team/busybox:1.36`);
    assert.equal(image.digest, busybox.digest);
    assert.equal(image.manifestDigest, busybox.digest);
    assert.equal(image.rootfs, join(dir, 'rootfs', 'sha256', busybox.digest.slice(7)));
    assert.deepEqual(image.config.config.Cmd, ['sh']);
    assert.equal(await readlink(join(image.rootfs, 'bin/sh')), 'busybox');
    assert.equal((await lstat(join(image.rootfs, 'bin/busybox'))).mode & 0o7777, 0o755);
    assert.equal((await lstat(join(image.rootfs, 'tmp'))).mode & 0o7777, 0o1777);

    // The applet link is relative, so it resolves inside the rootfs even from the host.
    const { stdout } = await run(join(image.rootfs, 'bin/echo'), ['hello from the image']);
    assert.equal(stdout, 'hello from the image\n');
  });

  it('makes no blob requests when the image is pulled again, by a new store on the same dir', async () => {
    const { store, dir } = await newStore();
    await store.pull(`${registry.host}/team/busybox:1.36`);

    const counter = countingFetch();
    const again = new ImageStore({ dir, fetch: counter.fetch });
    const image = await again.pull(`${registry.host}/team/busybox:1.36`);

    assert.deepEqual(blobRequests(counter.paths), []);
    assert.deepEqual(counter.paths, ['/v2/team/busybox/manifests/1.36']);
    assert.ok((await lstat(join(image.rootfs, 'bin/busybox'))).isFile());
  });

  it('pulls by digest with one manifest request, so the registry still authorizes it', async () => {
    const counter = countingFetch();
    const { store } = await newStore(counter.fetch);
    await store.pull(`${registry.host}/team/busybox:1.36`);
    counter.paths.length = 0;

    const image = await store.pull(`${registry.host}/team/busybox@${busybox.digest}`);
    assert.deepEqual(counter.paths, [`/v2/team/busybox/manifests/${busybox.digest}`]);
    assert.equal(image.reference, `${registry.host}/team/busybox@${busybox.digest}`);
  });

  it('applies whiteouts and opaque directories of an upper layer', async () => {
    const base = gzipLayer([
      ...busyboxEntries(),
      { path: 'data/keep.txt', body: 'keep' },
      { path: 'data/gone.txt', body: 'gone' },
      { path: 'data/dir/inner.txt', body: 'inner' },
      { path: 'opaque/lower.txt', body: 'lower' },
      { path: 'opaque/sub/deep.txt', body: 'deep' },
    ]);
    const upper = gzipLayer([
      { path: 'data/.wh.gone.txt' },
      { path: 'data/.wh.dir' },
      { path: 'data/new.txt', body: 'new' },
      { path: 'opaque/', type: 'dir' },
      { path: 'opaque/.wh..wh..opq' },
      { path: 'opaque/upper.txt', body: 'upper' },
      // No entry for tmp/ itself: the base layer's mode (1777) must survive.
      { path: 'tmp/added.txt', body: 'added' },
    ]);
    await pushImage(registry, 'layered', 'v1', { layers: [base, upper] });

    const { store } = await newStore();
    const { rootfs } = await store.pull(`${registry.host}/layered:v1`);

    assert.deepEqual((await entries(join(rootfs, 'data'))).sort(), ['keep.txt', 'new.txt']);
    assert.deepEqual(await entries(join(rootfs, 'opaque')), ['upper.txt']);
    assert.equal(await readFile(join(rootfs, 'tmp/added.txt'), 'utf8'), 'added');
    assert.equal((await lstat(join(rootfs, 'tmp'))).mode & 0o7777, 0o1777);
  });

  it('keeps setuid modes, owners, hard links and absolute symlink targets', async () => {
    const layer = gzipLayer([
      { path: 'usr/bin/suid', body: 'x', mode: 0o4755, uid: 1000, gid: 1000 },
      { path: 'data/a', body: 'shared' },
      { path: 'data/b', type: 'hardlink', target: 'data/a' },
      { path: 'usr/bin/abs', type: 'symlink', target: '/bin/busybox' },
    ]);
    await pushImage(registry, 'modes', 'v1', { layers: [layer] });

    const { store } = await newStore();
    const { rootfs } = await store.pull(`${registry.host}/modes:v1`);

    const suid = await lstat(join(rootfs, 'usr/bin/suid'));
    assert.equal(suid.mode & 0o7777, 0o4755);
    assert.deepEqual([suid.uid, suid.gid], [1000, 1000]);
    const [a, b] = await Promise.all(['data/a', 'data/b'].map((p) => lstat(join(rootfs, p))));
    assert.equal(a?.ino, b?.ino);
    assert.equal(await readlink(join(rootfs, 'usr/bin/abs')), '/bin/busybox');
  });

  it('pulls uncompressed layers, whatever their media type claims', async () => {
    const plain = tarLayer([{ path: 'plain.txt', body: 'not compressed' }]);
    await pushImage(registry, 'plain', 'tar', {
      layers: [plain],
      layerMediaType: 'application/vnd.oci.image.layer.v1.tar',
    });
    await pushImage(registry, 'plain', 'mislabelled', { layers: [plain] });

    const { store } = await newStore();
    for (const tag of ['tar', 'mislabelled']) {
      const { rootfs } = await store.pull(`${registry.host}/plain:${tag}`);
      assert.equal(await readFile(join(rootfs, 'plain.txt'), 'utf8'), 'not compressed');
    }
  });

  it('picks linux/amd64 from an OCI index, and linux/arm64 when asked', async () => {
    const arm = await pushImage(registry, 'multi', undefined, {
      layers: [gzipLayer([{ path: 'arch', body: 'arm64' }])],
      architecture: 'arm64',
    });
    const amd = await pushImage(registry, 'multi', undefined, {
      layers: [gzipLayer([{ path: 'arch', body: 'amd64' }])],
    });
    const index = await pushIndex(registry, 'multi', 'latest', [
      { image: arm, architecture: 'arm64' },
      { image: amd, architecture: 'amd64' },
    ]);

    const { store } = await newStore();
    const image = await store.pull(`${registry.host}/multi`);
    assert.equal(image.digest, index);
    assert.equal(image.manifestDigest, amd.digest);
    assert.equal(await readFile(join(image.rootfs, 'arch'), 'utf8'), 'amd64');

    const platform = { os: 'linux', architecture: 'arm64' };
    const armImage = await store.pull(`${registry.host}/multi`, { platform });
    assert.equal(armImage.manifestDigest, arm.digest);
    assert.equal(await readFile(join(armImage.rootfs, 'arch'), 'utf8'), 'arm64');
  });

  it('pulls Docker schema 2 manifests and manifest lists', async () => {
    const docker = await pushBusyboxImage(registry, 'docker/busybox', 'latest', 'docker');
    await pushIndex(
      registry,
      'docker/busybox',
      'list',
      [{ image: docker, architecture: 'amd64' }],
      'docker',
    );

    const { store } = await newStore();
    const single = await store.pull(`${registry.host}/docker/busybox`);
    const listed = await store.pull(`${registry.host}/docker/busybox:list`);

    assert.equal(single.manifestDigest, docker.digest);
    assert.equal(listed.manifestDigest, docker.digest);
    assert.equal(listed.rootfs, single.rootfs);
    assert.equal(await readlink(join(single.rootfs, 'bin/cat')), 'busybox');
  });

  it('reports progress per layer, ending with every byte', async () => {
    const { store } = await newStore();
    const events: PullProgress[] = [];
    await store.pull(`${registry.host}/team/busybox:1.36`, { onProgress: (p) => events.push(p) });

    const layer = events.filter((event) => event.digest === busybox.layerDigests[0]);
    const statuses = [...new Set(layer.map((event) => event.status))];
    assert.deepEqual(statuses, ['downloading', 'downloaded', 'extracting', 'ready']);
    const last = layer.at(-1);
    assert.equal(last?.bytes, last?.totalBytes);
    assert.ok(events.some((event) => event.kind === 'config' && event.status === 'downloaded'));
  });

  it('serves 20 concurrent pulls of one image with one download of each blob', async () => {
    const counter = countingFetch();
    const { store, dir } = await newStore(counter.fetch);
    const ref = `${registry.host}/team/busybox:1.36`;

    const images = await Promise.all(Array.from({ length: 20 }, () => store.pull(ref)));

    assert.equal(new Set(images.map((image) => image.rootfs)).size, 1);
    assert.equal(blobRequests(counter.paths).length, 2, 'one config and one layer download');
    assert.deepEqual(await entries(join(dir, 'tmp')), [], 'no work left behind');
    const { stdout } = await run(join(images[0]?.rootfs ?? '', 'bin/echo'), ['ok']);
    assert.equal(stdout, 'ok\n');
  });
});
