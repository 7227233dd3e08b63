import { mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { BasicCredentials } from './auth.js';
import { BlobStore, CacheLayout, exists, publish } from './blob-store.js';
import { ImagePullError, storageError } from './errors.js';
import { parseImageConfig, type ImageConfig } from './image-config.js';
import { KeyedLock } from './keyed-lock.js';
import { unpackLayer, type UnpackedLayer } from './layer-unpack.js';
import {
  parseManifest,
  selectPlatform,
  type Descriptor,
  type ImageIndex,
  type ImageManifest,
  type Platform,
} from './manifest.js';
import { parseImageReference, type ImageReference } from './reference.js';
import { RegistryClient } from './registry-client.js';
import { assembleRootfs, type StackedLayer } from './rootfs.js';
import { RegistryTransport, type TransportOptions } from './transport.js';

/** Where the store keeps its cache, and how it reaches registries. */
export interface ImageStoreOptions extends TransportOptions {
  /** The cache directory: the data directory's `images/`. */
  readonly dir: string;
  /** The platform picked from multi-platform images; linux/amd64, as Fargate's X86_64. */
  readonly platform?: Platform;
  /** Layers one pull downloads at once; Docker's default is 3. */
  readonly concurrentDownloads?: number;
}

/** One step of a pull, for progress display: bytes per layer, and what happens to it. */
export interface PullProgress {
  readonly digest: string;
  readonly kind: 'config' | 'layer';
  readonly status: 'cached' | 'downloading' | 'downloaded' | 'extracting' | 'ready';
  /** Bytes downloaded so far (all of them once downloaded or cached). */
  readonly bytes: number;
  readonly totalBytes: number;
}

/** Per-pull choices. */
export interface PullOptions {
  readonly onProgress?: (progress: PullProgress) => void;
  /** Overrides the store's platform for this pull. */
  readonly platform?: Platform;
  /** This pull's registry credentials (a container's `repositoryCredentials`), over the store's. */
  readonly credentials?: BasicCredentials;
}

/** A pulled image, ready to run. */
export interface PulledImage {
  /** The reference, fully qualified: `docker.io/library/busybox:latest`. */
  readonly reference: string;
  /** The digest the reference resolved to: an index's when the image is multi-platform. */
  readonly digest: string;
  /** The digest of the image manifest for the chosen platform; names the rootfs. */
  readonly manifestDigest: string;
  readonly config: ImageConfig;
  /** The assembled root filesystem. Shared by every task of this image: mount it read-only. */
  readonly rootfs: string;
}

/** What every step of one pull needs. */
interface PullContext {
  readonly ref: ImageReference;
  readonly credentials?: BasicCredentials;
  readonly progress: (progress: PullProgress) => void;
}

/** A reference resolved to the image manifest of one platform. */
interface Resolved {
  readonly digest: string;
  readonly manifestDigest: string;
  readonly manifest: ImageManifest;
}

/** A manifest or index and its digest. */
interface CachedManifest {
  readonly digest: string;
  readonly manifest: ImageManifest | ImageIndex;
}

/** What `layers/<alg>/<hex>/layer.json` records beside the unpacked `diff/`. */
type LayerRecord = UnpackedLayer;

const DEFAULT_PLATFORM: Platform = { os: 'linux', architecture: 'amd64' };

/**
 * Pulls images from registries into a content-addressed cache and assembles their root
 * filesystems. Safe for concurrent pulls in one process (per-digest locks) and, through atomic
 * renames of finished work, between processes sharing the directory.
 *
 * @example
 * const images = new ImageStore({ dir: join(dataDir, 'images') });
 * const image = await images.pull('127.0.0.1:5000/team/app:1.0', { onProgress: console.log });
 * // image.rootfs, image.config.config.Cmd, …
 */
export class ImageStore {
  private readonly layout: CacheLayout;
  private readonly blobs: BlobStore;
  private readonly client: RegistryClient;
  private readonly locks = new KeyedLock();
  private readonly platform: Platform;
  private readonly concurrentDownloads: number;

  constructor(options: ImageStoreOptions) {
    this.layout = new CacheLayout(options.dir);
    this.blobs = new BlobStore(this.layout);
    this.client = new RegistryClient(new RegistryTransport(options));
    this.platform = options.platform ?? DEFAULT_PLATFORM;
    this.concurrentDownloads = options.concurrentDownloads ?? 3;
  }

  /**
   * Pulls `reference` and answers its config and assembled rootfs. The reference is always
   * resolved against the registry (one manifest request); blobs, layers and the rootfs already
   * cached are not fetched again.
   *
   * @throws ImagePullError (its message is the reason after `CannotPullContainerError: `).
   */
  async pull(reference: string, options: PullOptions = {}): Promise<PulledImage> {
    const pull: PullContext = {
      ref: parseImageReference(reference),
      progress: options.onProgress ?? (() => undefined),
      ...(options.credentials ? { credentials: options.credentials } : {}),
    };
    const resolved = await this.resolve(pull, options.platform ?? this.platform);
    const config = await this.config(pull, resolved.manifest);

    const rootfs = this.layout.rootfs(resolved.manifestDigest);
    if (await exists(rootfs)) {
      for (const layer of resolved.manifest.layers) report(pull, layer, 'layer', 'cached');
    } else {
      await this.locks.run(`rootfs ${resolved.manifestDigest}`, () =>
        this.build(pull, resolved.manifest, config, rootfs),
      );
    }
    const { digest, manifestDigest } = resolved;
    return { reference: pull.ref.canonical, digest, manifestDigest, config, rootfs };
  }

  /**
   * Resolves a reference to one image manifest, through an index when there is one. The first
   * manifest always comes from the registry, even by digest and even when cached: that request
   * is where the registry checks the caller may read the repository, as every Fargate task
   * launch has it check.
   */
  private async resolve(pull: PullContext, platform: Platform): Promise<Resolved> {
    const top = await this.fetchManifest(pull, pull.ref.reference);
    if (top.manifest.kind === 'image') {
      return { digest: top.digest, manifestDigest: top.digest, manifest: top.manifest };
    }

    const entry = selectPlatform(top.manifest, platform);
    const child = await this.manifest(pull, entry.digest);
    if (child.manifest.kind !== 'image') {
      throw new ImagePullError('UnsupportedMediaType', `unsupported nested index ${entry.digest}`);
    }
    return { digest: top.digest, manifestDigest: child.digest, manifest: child.manifest };
  }

  /** A manifest by digest, from the cache when there: its repository was just authorized. */
  private async manifest(pull: PullContext, digest: string): Promise<CachedManifest> {
    if (await this.blobs.has(digest)) {
      return { digest, manifest: parseManifest(await this.blobs.read(digest), null) };
    }
    return this.fetchManifest(pull, digest);
  }

  /** A manifest from the registry, kept in the cache by digest. */
  private async fetchManifest(pull: PullContext, reference: string): Promise<CachedManifest> {
    const fetched = await this.client.manifest(pull.ref, reference, pull.credentials);
    if (!(await this.blobs.has(fetched.digest))) {
      await this.blobs.write(fetched.digest, fetched.body.length, [fetched.body]);
    }
    return fetched;
  }

  private async config(pull: PullContext, manifest: ImageManifest): Promise<ImageConfig> {
    await this.ensureBlob(pull, manifest.config, 'config');
    const config = parseImageConfig(await this.blobs.read(manifest.config.digest));
    if (config.rootfs.diff_ids.length !== manifest.layers.length) {
      throw new ImagePullError(
        'InvalidImage',
        `mismatched image rootfs and manifest layers: ${config.rootfs.diff_ids.length} diff ids ` +
          `for ${manifest.layers.length} layers`,
      );
    }
    return config;
  }

  /** Downloads a blob unless it is cached; one download per digest however many pulls ask. */
  private ensureBlob(
    pull: PullContext,
    descriptor: Descriptor,
    kind: PullProgress['kind'],
  ): Promise<void> {
    return this.locks.run(`blob ${descriptor.digest}`, async () => {
      if (await this.blobs.has(descriptor.digest)) {
        report(pull, descriptor, kind, 'cached');
        return;
      }

      const response = await this.client.blob(pull.ref, descriptor, pull.credentials);
      const onBytes = (bytes: number) => report(pull, descriptor, kind, 'downloading', bytes);
      try {
        await this.blobs.write(descriptor.digest, descriptor.size, response.chunks(), onBytes);
      } finally {
        await response.discard();
      }
      report(pull, descriptor, kind, 'downloaded');
    });
  }

  private async build(
    pull: PullContext,
    manifest: ImageManifest,
    config: ImageConfig,
    rootfs: string,
  ): Promise<void> {
    // Another pull may have built it while this one waited for the lock.
    if (await exists(rootfs)) return;

    const layers = await mapLimit(manifest.layers, this.concurrentDownloads, (layer, i) =>
      this.ensureLayer(pull, layer, config.rootfs.diff_ids[i] ?? ''),
    );
    const temp = await this.layout.tempDir('rootfs');
    try {
      await assembleRootfs(layers, temp);
      await publish(temp, rootfs);
    } catch (err) {
      if (err instanceof ImagePullError) throw err;
      throw storageError(`failed to assemble the rootfs of ${pull.ref.canonical}`, err);
    } finally {
      await rm(temp, { recursive: true, force: true });
    }
  }

  /** Unpacks a layer unless it is, and checks its diff id against the image config. */
  private ensureLayer(pull: PullContext, layer: Descriptor, diffId: string): Promise<StackedLayer> {
    const dir = this.layout.layer(layer.digest);
    return this.locks.run(`layer ${layer.digest}`, async () => {
      let record = await readLayerRecord(dir);
      if (!record) {
        await this.ensureBlob(pull, layer, 'layer');
        report(pull, layer, 'layer', 'extracting');
        record = await this.unpack(layer, dir);
      }

      if (record.diffId !== diffId) {
        throw new ImagePullError(
          'DigestMismatch',
          `failed to extract layer ${layer.digest}: wrong diff id calculated on extraction ` +
            `"${record.diffId}", expected "${diffId}"`,
        );
      }
      report(pull, layer, 'layer', 'ready');
      return { dir: join(dir, 'diff'), implicitDirectories: new Set(record.implicitDirectories) };
    });
  }

  private async unpack(layer: Descriptor, dir: string): Promise<LayerRecord> {
    const temp = await this.layout.tempDir('layer');
    try {
      await mkdir(join(temp, 'diff'));
      const record = await unpackLayer({
        blob: this.blobs.path(layer.digest),
        target: join(temp, 'diff'),
        digest: layer.digest,
      });
      await writeFile(join(temp, 'layer.json'), JSON.stringify(record));
      await publish(temp, dir);
      return record;
    } catch (err) {
      if (err instanceof ImagePullError) throw err;
      throw storageError(`failed to extract layer ${layer.digest}`, err);
    } finally {
      await rm(temp, { recursive: true, force: true });
    }
  }
}

async function readLayerRecord(dir: string): Promise<LayerRecord | undefined> {
  const text = await readFile(join(dir, 'layer.json'), 'utf8').catch(() => undefined);
  if (text === undefined) return undefined;
  return JSON.parse(text) as LayerRecord;
}

function report(
  pull: PullContext,
  descriptor: Descriptor,
  kind: PullProgress['kind'],
  status: PullProgress['status'],
  bytes = descriptor.size,
): void {
  pull.progress({ digest: descriptor.digest, kind, status, bytes, totalBytes: descriptor.size });
}

/** Maps `items` with at most `limit` calls of `fn` running at once, keeping their order. */
async function mapLimit<T, R>(
  items: readonly T[],
  limit: number,
  fn: (item: T, index: number) => Promise<R>,
): Promise<R[]> {
  const results: R[] = new Array<R>(items.length);
  let next = 0;
  const worker = async () => {
    while (next < items.length) {
      const index = next++;
      results[index] = await fn(items[index] as T, index);
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
  return results;
}
