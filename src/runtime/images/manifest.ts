import { ImagePullError } from './errors.js';
import { digestProblem } from './reference.js';

/** The manifest media types of the OCI image spec and Docker's image manifest v2, schema 2. */
export const MediaType = {
  ociManifest: 'application/vnd.oci.image.manifest.v1+json',
  ociIndex: 'application/vnd.oci.image.index.v1+json',
  dockerManifest: 'application/vnd.docker.distribution.manifest.v2+json',
  dockerManifestList: 'application/vnd.docker.distribution.manifest.list.v2+json',
  ociConfig: 'application/vnd.oci.image.config.v1+json',
  dockerConfig: 'application/vnd.docker.container.image.v1+json',
} as const;

/** The `Accept` header of a manifest request: every kind fedgate can pull, images and indexes. */
export const MANIFEST_ACCEPT = [
  MediaType.ociManifest,
  MediaType.ociIndex,
  MediaType.dockerManifest,
  MediaType.dockerManifestList,
].join(', ');

const INDEX_TYPES = new Set<string>([MediaType.ociIndex, MediaType.dockerManifestList]);
const IMAGE_TYPES = new Set<string>([MediaType.ociManifest, MediaType.dockerManifest]);
const CONFIG_TYPES = new Set<string>([MediaType.ociConfig, MediaType.dockerConfig]);

/**
 * Layer media types fedgate unpacks: tar, plain or gzip. zstd (`+zstd`) is refused up front,
 * before any download, because Node.js 20's zlib cannot undo it.
 */
const LAYER_TYPES = new Set<string>([
  'application/vnd.oci.image.layer.v1.tar',
  'application/vnd.oci.image.layer.v1.tar+gzip',
  'application/vnd.oci.image.layer.nondistributable.v1.tar',
  'application/vnd.oci.image.layer.nondistributable.v1.tar+gzip',
  'application/vnd.docker.image.rootfs.diff.tar.gzip',
  'application/vnd.docker.image.rootfs.foreign.diff.tar.gzip',
]);

/** An OS and CPU architecture, as in an index entry's `platform`. */
export interface Platform {
  readonly os: string;
  readonly architecture: string;
  /** e.g. `v8` for arm64; when given it must match, when omitted any variant does. */
  readonly variant?: string;
}

/** A content descriptor: what a manifest or index says about a blob it points to. */
export interface Descriptor {
  readonly mediaType: string;
  readonly digest: string;
  readonly size: number;
  readonly platform?: Platform;
}

/** An image manifest reduced to what a pull needs. */
export interface ImageManifest {
  readonly kind: 'image';
  readonly mediaType: string;
  readonly config: Descriptor;
  readonly layers: readonly Descriptor[];
}

/** An OCI index or Docker manifest list. */
export interface ImageIndex {
  readonly kind: 'index';
  readonly mediaType: string;
  readonly manifests: readonly Descriptor[];
}

/**
 * Parses a manifest body. The media type comes from the response's Content-Type, falling back
 * to the body's own `mediaType` (OCI makes that field optional, registries send the header).
 *
 * @throws ImagePullError `UnsupportedMediaType` for schema 1, artifacts or zstd layers.
 */
export function parseManifest(
  body: Buffer,
  contentType: string | null,
): ImageManifest | ImageIndex {
  const json = parseJson(body, 'manifest');
  const declared = typeof json.mediaType === 'string' ? json.mediaType : undefined;
  const header = contentType?.split(';')[0]?.trim();
  const mediaType = header && header !== 'application/json' ? header : (declared ?? shape(json));

  if (INDEX_TYPES.has(mediaType)) {
    return { kind: 'index', mediaType, manifests: descriptors(json.manifests, 'manifests') };
  }
  if (IMAGE_TYPES.has(mediaType)) return parseImage(json, mediaType);
  throw new ImagePullError(
    'UnsupportedMediaType',
    `unsupported media type ${mediaType || '(none)'}`,
  );
}

/**
 * Picks the entry of an index for `platform`, the way containerd's default matcher does for
 * a linux/amd64 host: same OS and architecture, and the same variant when one is asked for.
 *
 * @throws ImagePullError `PlatformNotFound` with Fargate's wording when no entry matches.
 */
export function selectPlatform(index: ImageIndex, platform: Platform): Descriptor {
  const match = index.manifests.find(
    (entry) =>
      IMAGE_TYPES.has(entry.mediaType) &&
      entry.platform?.os === platform.os &&
      entry.platform.architecture === platform.architecture &&
      (platform.variant === undefined || entry.platform.variant === platform.variant),
  );
  if (match) return match;

  const wanted = [platform.os, platform.architecture, platform.variant].filter(Boolean).join('/');
  throw new ImagePullError(
    'PlatformNotFound',
    `image Manifest does not contain descriptor matching platform '${wanted}'`,
  );
}

/** Parses JSON that must be an object, or fails as an invalid image. */
export function parseJson(body: Buffer, what: string): Record<string, unknown> {
  let json: unknown;
  try {
    json = JSON.parse(body.toString('utf8'));
  } catch (err) {
    throw new ImagePullError('InvalidImage', `failed to parse ${what}: invalid JSON`, {
      cause: err,
    });
  }
  if (isObject(json)) return json;
  throw new ImagePullError('InvalidImage', `failed to parse ${what}: not an object`);
}

/** OCI lets a manifest omit `mediaType`; a cached one has no Content-Type: go by its members. */
function shape(json: Record<string, unknown>): string {
  if (Array.isArray(json.manifests)) return MediaType.ociIndex;
  return json.config !== undefined ? MediaType.ociManifest : '';
}

function parseImage(json: Record<string, unknown>, mediaType: string): ImageManifest {
  const [config] = descriptors([json.config], 'config');
  if (!config || !CONFIG_TYPES.has(config.mediaType)) {
    throw new ImagePullError(
      'UnsupportedMediaType',
      `unsupported media type ${config?.mediaType ?? '(none)'} for the image config`,
    );
  }

  const layers = descriptors(json.layers, 'layers');
  const unsupported = layers.find((layer) => !LAYER_TYPES.has(layer.mediaType));
  if (unsupported) {
    throw new ImagePullError(
      'UnsupportedMediaType',
      `unsupported media type ${unsupported.mediaType}`,
    );
  }
  return { kind: 'image', mediaType, config, layers };
}

function descriptors(value: unknown, field: string): Descriptor[] {
  if (!Array.isArray(value)) throw invalid(`${field} is not a list`);
  return value.map((item: unknown) => descriptor(item, field));
}

function descriptor(item: unknown, field: string): Descriptor {
  if (!isObject(item)) throw invalid(`an entry of ${field} is not an object`);

  const { mediaType, digest, size, platform } = item;
  if (typeof mediaType !== 'string' || typeof digest !== 'string') {
    throw invalid(`an entry of ${field} lacks mediaType or digest`);
  }
  if (typeof size !== 'number' || !Number.isSafeInteger(size) || size < 0) {
    throw invalid(`an entry of ${field} has no valid size`);
  }

  // The digest names a file in the cache: it must never carry a path.
  const problem = digestProblem(digest);
  if (problem) throw invalid(`an entry of ${field} has an ${problem}`);
  return {
    mediaType,
    digest,
    size,
    ...(isObject(platform) ? { platform: toPlatform(platform) } : {}),
  };
}

function toPlatform(value: Record<string, unknown>): Platform {
  const text = (key: string) => (typeof value[key] === 'string' ? (value[key] as string) : '');
  const variant = text('variant');
  return { os: text('os'), architecture: text('architecture'), ...(variant ? { variant } : {}) };
}

function invalid(detail: string): ImagePullError {
  return new ImagePullError('InvalidImage', `failed to parse manifest: ${detail}`);
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
