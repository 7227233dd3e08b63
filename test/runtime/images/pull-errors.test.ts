import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { readFile, writeFile } from 'node:fs/promises';
import { createServer as createHttpServer } from 'node:http';
import { createServer, type Socket } from 'node:net';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { ImageStore, InvalidReferenceError } from '../../../src/runtime/images/index.js';
import {
  freePort,
  gzipLayer,
  pushBusyboxImage,
  pushImage,
  pushIndex,
  startRegistry,
  type TestRegistry,
} from '../../support/registry.js';
import { entries, rejectsWithKind, removeAll, tempDir } from './helpers.js';

describe('ImageStore.pull failures', () => {
  let registry: TestRegistry;
  const dirs: string[] = [];

  before(async () => {
    registry = await startRegistry();
    await pushBusyboxImage(registry, 'busybox', 'latest');
  });
  after(async () => {
    await registry.stop();
    await removeAll(dirs);
  });

  async function newStore(options: { fetch?: typeof fetch; timeoutMs?: number } = {}) {
    const dir = await tempDir();
    dirs.push(dir);
    return { store: new ImageStore({ dir, ...options }), dir };
  }

  /** Flips one byte of a blob in the registry's storage, keeping its length. */
  async function corrupt(digest: string): Promise<void> {
    const path = registry.blobPath(digest);
    const data = await readFile(path);
    const middle = Math.floor(data.length / 2);
    data[middle] = (data[middle] ?? 0) ^ 0xff;
    await writeFile(path, data);
  }

  it('returns DigestMismatch when a layer blob does not hash to its digest, caching nothing', async () => {
    const image = await pushImage(registry, 'corrupt-layer', 'v1', {
      layers: [gzipLayer([{ path: 'file', body: 'to be corrupted '.repeat(100) }])],
    });
    const layer = image.layerDigests[0] ?? '';
    await corrupt(layer);

    const { store, dir } = await newStore();
    const message = await rejectsWithKind(
      store.pull(`${registry.host}/corrupt-layer:v1`),
      'DigestMismatch',
    );

    assert.match(
      message,
      new RegExp(`^failed to copy: unexpected commit digest sha256:\\w+, expected ${layer}`),
    );
    assert.deepEqual(
      await entries(join(dir, 'blobs/sha256')),
      [image.digest.slice(7), image.configDigest.slice(7)].sort(),
    );
    assert.deepEqual(await entries(join(dir, 'tmp')), []);
    assert.deepEqual(await entries(join(dir, 'layers')), []);
  });

  it('returns DigestMismatch when a manifest does not match its Docker-Content-Digest', async () => {
    const image = await pushImage(registry, 'corrupt-manifest', 'v1', {
      layers: [gzipLayer([{ path: 'file', body: 'manifest test' }])],
    });
    await corrupt(image.digest);

    const { store } = await newStore();
    const message = await rejectsWithKind(
      store.pull(`${registry.host}/corrupt-manifest:v1`),
      'DigestMismatch',
    );
    assert.match(
      message,
      /^failed to resolve ref .*corrupt-manifest:v1: unexpected manifest digest/,
    );
  });

  it('returns NotFound for a repository that does not exist', async () => {
    const { store } = await newStore();
    const ref = `${registry.host}/nothing-here:latest`;
    const message = await rejectsWithKind(store.pull(ref), 'NotFound');
    assert.equal(message, `failed to resolve ref ${ref}: ${ref}: not found`);
  });

  it('returns NotFound for a tag that does not exist', async () => {
    const { store } = await newStore();
    const ref = `${registry.host}/busybox:no-such-tag`;
    const message = await rejectsWithKind(store.pull(ref), 'NotFound');
    assert.equal(message, `failed to resolve ref ${ref}: ${ref}: not found`);
  });

  it('returns Unreachable with "connection refused" when nothing listens', async () => {
    const host = `127.0.0.1:${await freePort()}`;
    const { store } = await newStore();
    const message = await rejectsWithKind(store.pull(`${host}/busybox`), 'Unreachable');
    assert.equal(
      message,
      `failed to resolve ref ${host}/busybox:latest: failed to do request: ` +
        `Get "http://${host}/v2/busybox/manifests/latest": dial tcp ${host}: connect: connection refused`,
    );
  });

  it('returns Unreachable with "no such host" when the name does not resolve', async () => {
    // fetch fails the way undici does on a DNS miss; no query leaves the machine.
    const dnsMiss: typeof fetch = () =>
      Promise.reject(
        new TypeError('fetch failed', {
          cause: Object.assign(new Error('getaddrinfo ENOTFOUND registry.example.com'), {
            code: 'ENOTFOUND',
          }),
        }),
      );
    const { store } = await newStore({ fetch: dnsMiss });
    const message = await rejectsWithKind(store.pull('registry.example.com/app'), 'Unreachable');
    assert.match(
      message,
      /Get "https:\/\/registry\.example\.com\/v2\/app\/manifests\/latest": dial tcp: lookup registry\.example\.com: no such host$/,
    );
  });

  it('returns Timeout when the registry accepts but never answers', async () => {
    const sockets: Socket[] = [];
    const silent = createServer((socket) => sockets.push(socket));
    await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', resolve));
    const address = silent.address();
    const host = `127.0.0.1:${typeof address === 'object' && address ? address.port : 0}`;
    try {
      const { store } = await newStore({ timeoutMs: 300 });
      const message = await rejectsWithKind(store.pull(`${host}/app`), 'Timeout');
      assert.match(message, /: i\/o timeout$/);
    } finally {
      for (const socket of sockets) socket.destroy();
      silent.close();
    }
  });

  it('returns Timeout when an answer stalls halfway through its body', async () => {
    const stalling = createHttpServer((_req, res) => {
      res.writeHead(200, { 'content-type': 'application/vnd.oci.image.manifest.v1+json' });
      res.write('{"schemaVersion":2,');
    });
    await new Promise<void>((resolve) => stalling.listen(0, '127.0.0.1', resolve));
    const address = stalling.address();
    const host = `127.0.0.1:${typeof address === 'object' && address ? address.port : 0}`;
    try {
      const { store } = await newStore({ timeoutMs: 300 });
      await rejectsWithKind(store.pull(`${host}/app`), 'Timeout');
    } finally {
      stalling.closeAllConnections();
      stalling.close();
    }
  });

  it('returns InvalidLayer for a layer with a path that climbs out, and keeps no layer', async () => {
    await pushImage(registry, 'escape', 'v1', {
      layers: [gzipLayer([{ path: '../../escaped', body: 'x' }])],
    });

    const { store, dir } = await newStore();
    const message = await rejectsWithKind(store.pull(`${registry.host}/escape:v1`), 'InvalidLayer');
    assert.match(message, /refusing entry "\.\.\/\.\.\/escaped": path contains '\.\.'$/);
    assert.deepEqual(await entries(join(dir, 'layers/sha256')), []);
    assert.deepEqual(await entries(join(dir, 'rootfs')), []);
    assert.equal(existsSync(join(dir, 'tmp', 'escaped')), false);
    assert.equal(existsSync(join(dir, 'escaped')), false);
  });

  it('returns UnsupportedMediaType for zstd layers and for non-image artifacts', async () => {
    const layers = [gzipLayer([{ path: 'f', body: 'zstd?' }])];
    await pushImage(registry, 'zstd', 'v1', {
      layers,
      layerMediaType: 'application/vnd.oci.image.layer.v1.tar+zstd',
    });
    await pushImage(registry, 'helm', 'v1', {
      layers,
      configMediaType: 'application/vnd.cncf.helm.config.v1+json',
    });

    const { store } = await newStore();
    const zstd = await rejectsWithKind(
      store.pull(`${registry.host}/zstd:v1`),
      'UnsupportedMediaType',
    );
    assert.match(
      zstd,
      /unsupported media type application\/vnd\.oci\.image\.layer\.v1\.tar\+zstd$/,
    );
    const helm = await rejectsWithKind(
      store.pull(`${registry.host}/helm:v1`),
      'UnsupportedMediaType',
    );
    assert.match(helm, /application\/vnd\.cncf\.helm\.config\.v1\+json/);
  });

  it("returns PlatformNotFound with Fargate's wording when an index has no linux/amd64", async () => {
    const arm = await pushImage(registry, 'arm-only', undefined, {
      layers: [gzipLayer([{ path: 'arch', body: 'arm64' }])],
      architecture: 'arm64',
    });
    await pushIndex(registry, 'arm-only', 'latest', [{ image: arm, architecture: 'arm64' }]);

    const { store } = await newStore();
    const message = await rejectsWithKind(
      store.pull(`${registry.host}/arm-only`),
      'PlatformNotFound',
    );
    assert.equal(
      message,
      "image Manifest does not contain descriptor matching platform 'linux/amd64'",
    );
  });

  it('throws InvalidReferenceError for a reference Docker would refuse', async () => {
    const { store } = await newStore();
    await assert.rejects(store.pull('Busybox'), (err: unknown) => {
      assert.ok(err instanceof InvalidReferenceError);
      assert.equal(
        err.message,
        'invalid reference format: repository name (library/Busybox) must be lowercase',
      );
      return true;
    });
  });
});
