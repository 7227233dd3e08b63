import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { gunzipSync, gzipSync } from 'node:zlib';
import { Header } from 'tar';

const run = promisify(execFile);

/** The CNCF distribution registry from Debian's `docker-registry` package. */
export const REGISTRY_BINARY = '/usr/bin/docker-registry';
/** The static busybox from Debian's `busybox-static` package. */
export const BUSYBOX = '/bin/busybox';
/** Debian's Python, whose `crypt` module makes the bcrypt lines htpasswd files need. */
const PYTHON = '/usr/bin/python3';

/** A registry started for one test file. */
export interface TestRegistry {
  /** `127.0.0.1:<port>`: the registry part of image references. */
  readonly host: string;
  readonly url: string;
  /** The storage root, to corrupt blobs in. */
  readonly storage: string;
  /** The Authorization header pushes send, when the registry has users. */
  readonly authorization?: string;
  /** Where the registry keeps blob `digest` on disk. */
  blobPath(digest: string): string;
  stop(): Promise<void>;
}

/** Fails loudly, naming the Debian package, when `path` is missing. */
export function requireBinary(path: string, debianPackage: string): void {
  if (!existsSync(path)) {
    throw new Error(
      `${path} is missing: install the Debian package '${debianPackage}' ` +
        `(apt-get install -y ${debianPackage})`,
    );
  }
}

/**
 * Starts `docker-registry serve` on a free loopback port with filesystem storage in a fresh
 * temp directory; with `users`, behind htpasswd (bcrypt) Basic auth.
 */
export async function startRegistry(
  options: { users?: Record<string, string> } = {},
): Promise<TestRegistry> {
  requireBinary(REGISTRY_BINARY, 'docker-registry');
  const work = await mkdtemp(join(tmpdir(), 'fedgate-registry-'));
  const storage = join(work, 'storage');
  const host = `127.0.0.1:${await freePort()}`;
  const htpasswd = options.users ? await writeHtpasswd(work, options.users) : undefined;

  const config = join(work, 'config.yml');
  await writeFile(config, registryConfig(storage, host, htpasswd));
  const child = spawn(REGISTRY_BINARY, ['serve', config], { stdio: ['ignore', 'ignore', 'pipe'] });
  let stderr = '';
  child.stderr?.on('data', (chunk: Buffer) => (stderr = (stderr + chunk.toString()).slice(-4000)));

  await waitUntilUp(`http://${host}`, child, () => stderr);
  const [user, password] = Object.entries(options.users ?? {})[0] ?? [];
  return {
    host,
    url: `http://${host}`,
    storage,
    ...(user ? { authorization: basic(user, password ?? '') } : {}),
    blobPath: (digest) => {
      const hex = digest.replace(/^sha256:/, '');
      return join(storage, 'docker/registry/v2/blobs/sha256', hex.slice(0, 2), hex, 'data');
    },
    stop: async () => {
      await stopChild(child);
      await rm(work, { recursive: true, force: true });
    },
  };
}

function registryConfig(storage: string, host: string, htpasswd: string | undefined): string {
  const auth = htpasswd
    ? `auth:\n  htpasswd:\n    realm: fedgate-test\n    path: ${htpasswd}\n`
    : '';
  return [
    'version: 0.1',
    'log:',
    '  level: error',
    '  accesslog:',
    '    disabled: true',
    'storage:',
    '  filesystem:',
    `    rootdirectory: ${storage}`,
    '  delete:',
    '    enabled: true',
    'http:',
    `  addr: ${host}`,
    auth,
  ].join('\n');
}

/** bcrypt at the lowest cost Go accepts (4): the registry checks it on every request. */
async function writeHtpasswd(dir: string, users: Record<string, string>): Promise<string> {
  requireBinary(PYTHON, 'python3');
  const script =
    'import crypt, sys, warnings\n' +
    'warnings.simplefilter("ignore")\n' +
    'print(crypt.crypt(sys.argv[1], crypt.mksalt(crypt.METHOD_BLOWFISH, rounds=16)))';
  const lines: string[] = [];
  for (const [user, password] of Object.entries(users)) {
    const { stdout } = await run(PYTHON, ['-c', script, password]);
    if (!stdout.startsWith('$2')) {
      throw new Error(`${PYTHON} made no bcrypt hash: its crypt module needs Debian's libcrypt`);
    }
    lines.push(`${user}:${stdout.trim()}`);
  }
  const path = join(dir, 'htpasswd');
  await writeFile(path, lines.join('\n') + '\n');
  return path;
}

/** A loopback port nothing listens on right now. */
export async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  await new Promise((resolve) => server.close(resolve));
  if (!address || typeof address === 'string') throw new Error('no port');
  return address.port;
}

async function waitUntilUp(url: string, child: ChildProcess, stderr: () => string) {
  const deadline = Date.now() + 15_000;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) {
      throw new Error(`docker-registry exited with ${child.exitCode}: ${stderr()}`);
    }
    const status = await fetch(`${url}/v2/`).then(
      (response) => response.status,
      () => 0,
    );
    // 401 is an answer too: the registry is up and asks for credentials.
    if (status === 200 || status === 401) return;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  child.kill('SIGKILL');
  throw new Error(`docker-registry did not answer on ${url}/v2/ within 15 s: ${stderr()}`);
}

async function stopChild(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise((resolve) => child.once('exit', resolve));
  child.kill('SIGTERM');
  const timer = setTimeout(() => child.kill('SIGKILL'), 5000);
  await exited;
  clearTimeout(timer);
}

/** One entry of a test layer. */
export interface LayerEntry {
  readonly path: string;
  readonly type?: 'file' | 'dir' | 'symlink' | 'hardlink';
  readonly body?: Buffer | string;
  readonly mode?: number;
  /** The target of a symlink or hard link. */
  readonly target?: string;
  readonly uid?: number;
  readonly gid?: number;
}

const TYPES = {
  file: 'File',
  dir: 'Directory',
  symlink: 'SymbolicLink',
  hardlink: 'Link',
} as const;
const MTIME = new Date('2026-01-01T00:00:00Z');

/**
 * An uncompressed tar of `entries`, written header by header with the tar package's `Header`,
 * so a test can make entries no filesystem would give it (`../x`, `/abs`, whiteouts).
 */
export function tarLayer(entries: readonly LayerEntry[]): Buffer {
  const blocks: Buffer[] = [];
  for (const entry of entries) {
    const type = entry.type ?? 'file';
    const body = Buffer.from(entry.body ?? '');
    const header = new Header({
      path: entry.path,
      type: TYPES[type],
      mode: entry.mode ?? (type === 'dir' ? 0o755 : 0o644),
      uid: entry.uid ?? 0,
      gid: entry.gid ?? 0,
      size: type === 'file' ? body.length : 0,
      mtime: MTIME,
      ...(entry.target ? { linkpath: entry.target } : {}),
    });
    if (header.encode()) throw new Error(`test layer entry ${entry.path} needs a pax header`);
    blocks.push(header.block as Buffer);
    if (type === 'file') blocks.push(body, Buffer.alloc((512 - (body.length % 512)) % 512));
  }
  blocks.push(Buffer.alloc(1024));
  return Buffer.concat(blocks);
}

/** A gzip-compressed tar of `entries`: a layer as registries usually hold them. */
export function gzipLayer(entries: readonly LayerEntry[]): Buffer {
  return gzipSync(tarLayer(entries));
}

/** The applets the tiny image links to busybox, relative (`bin/sh -> busybox`). */
export const BUSYBOX_APPLETS = ['sh', 'cat', 'echo', 'sleep', 'ls', 'env', 'id', 'pwd', 'true'];

/** A root filesystem of a static busybox with relative applet links and a passwd file. */
export function busyboxEntries(): LayerEntry[] {
  requireBinary(BUSYBOX, 'busybox-static');
  return [
    { path: 'bin/', type: 'dir' },
    { path: 'bin/busybox', body: readFileSync(BUSYBOX), mode: 0o755 },
    ...BUSYBOX_APPLETS.map((name) => ({
      path: `bin/${name}`,
      type: 'symlink' as const,
      target: 'busybox',
      mode: 0o777,
    })),
    { path: 'etc/', type: 'dir' },
    {
      path: 'etc/passwd',
      body: 'root:x:0:0:root:/root:/bin/sh\napp:x:1000:1000::/home/app:/bin/sh\n',
    },
    { path: 'etc/group', body: 'root:x:0:\napp:x:1000:\nstaff:x:50:app\n' },
    { path: 'root/', type: 'dir', mode: 0o700 },
    { path: 'tmp/', type: 'dir', mode: 0o1777 },
  ];
}

/** What the image builders below pushed. */
export interface PushedImage {
  readonly digest: string;
  readonly size: number;
  readonly mediaType: string;
  readonly configDigest: string;
  readonly layerDigests: readonly string[];
}

/** Media types of the two manifest formats the builders write. */
const FORMATS = {
  oci: {
    manifest: 'application/vnd.oci.image.manifest.v1+json',
    index: 'application/vnd.oci.image.index.v1+json',
    config: 'application/vnd.oci.image.config.v1+json',
    layer: 'application/vnd.oci.image.layer.v1.tar+gzip',
  },
  docker: {
    manifest: 'application/vnd.docker.distribution.manifest.v2+json',
    index: 'application/vnd.docker.distribution.manifest.list.v2+json',
    config: 'application/vnd.docker.container.image.v1+json',
    layer: 'application/vnd.docker.image.rootfs.diff.tar.gzip',
  },
} as const;

/** How to build one image: layers (gzip or plain tars), lowest first, and what its config and manifest say. */
export interface ImageSpec {
  readonly layers: readonly Buffer[];
  readonly format?: 'oci' | 'docker';
  readonly architecture?: string;
  /** Members of the config's `config` (Env, Cmd, …). */
  readonly config?: Record<string, unknown>;
  /** Replaces the layers' media type in the manifest (to push an unsupported one). */
  readonly layerMediaType?: string;
  /** Replaces the config's media type in the manifest. */
  readonly configMediaType?: string;
}

/** Builds and pushes an image; tags it when `tag` is given. */
export async function pushImage(
  registry: TestRegistry,
  repository: string,
  tag: string | undefined,
  spec: ImageSpec,
): Promise<PushedImage> {
  const types = FORMATS[spec.format ?? 'oci'];
  const layers = await Promise.all(
    spec.layers.map((layer) => pushBlob(registry, repository, layer)),
  );
  const config = Buffer.from(
    JSON.stringify({
      architecture: spec.architecture ?? 'amd64',
      os: 'linux',
      config: spec.config ?? { Env: ['PATH=/bin'], Cmd: ['sh'] },
      rootfs: { type: 'layers', diff_ids: spec.layers.map((layer) => sha256(uncompressed(layer))) },
    }),
  );
  const configDigest = await pushBlob(registry, repository, config);

  const manifest = {
    schemaVersion: 2,
    mediaType: types.manifest,
    config: {
      mediaType: spec.configMediaType ?? types.config,
      digest: configDigest,
      size: config.length,
    },
    layers: spec.layers.map((layer, i) => ({
      mediaType: spec.layerMediaType ?? types.layer,
      digest: layers[i],
      size: layer.length,
    })),
  };
  const pushed = await pushManifest(registry, repository, tag, types.manifest, manifest);
  return { ...pushed, configDigest, layerDigests: layers };
}

/** Pushes the tiny busybox image to `repository:tag`. */
export function pushBusyboxImage(
  registry: TestRegistry,
  repository = 'busybox',
  tag = 'latest',
  format: 'oci' | 'docker' = 'oci',
): Promise<PushedImage> {
  return pushImage(registry, repository, tag, { layers: [gzipLayer(busyboxEntries())], format });
}

/** Pushes an index (or Docker manifest list) of `images` under `tag`. */
export async function pushIndex(
  registry: TestRegistry,
  repository: string,
  tag: string,
  images: readonly { image: PushedImage; os?: string; architecture: string }[],
  format: 'oci' | 'docker' = 'oci',
): Promise<string> {
  const mediaType = FORMATS[format].index;
  const manifests = images.map(({ image, os, architecture }) => ({
    mediaType: image.mediaType,
    digest: image.digest,
    size: image.size,
    platform: { os: os ?? 'linux', architecture },
  }));
  const index = { schemaVersion: 2, mediaType, manifests };
  return (await pushManifest(registry, repository, tag, mediaType, index)).digest;
}

/** Uploads a blob: POST to start the upload, then PUT with `?digest=` to finish it. */
export async function pushBlob(registry: TestRegistry, repository: string, data: Buffer) {
  const digest = sha256(data);
  const started = await send(registry, 'POST', `/v2/${repository}/blobs/uploads/`, 202);
  const location = new URL(started.headers.get('location') ?? '', registry.url);
  location.searchParams.set('digest', digest);
  await send(registry, 'PUT', location.href, 201, data, 'application/octet-stream');
  return digest;
}

/** PUTs a manifest by tag, or by its digest when `tag` is undefined. */
export async function pushManifest(
  registry: TestRegistry,
  repository: string,
  tag: string | undefined,
  mediaType: string,
  manifest: object,
): Promise<{ digest: string; size: number; mediaType: string }> {
  const body = Buffer.from(JSON.stringify(manifest));
  const digest = sha256(body);
  await send(registry, 'PUT', `/v2/${repository}/manifests/${tag ?? digest}`, 201, body, mediaType);
  return { digest, size: body.length, mediaType };
}

async function send(
  registry: TestRegistry,
  method: string,
  path: string,
  expected: number,
  body?: Buffer,
  contentType?: string,
): Promise<Response> {
  const headers: Record<string, string> = {};
  if (contentType) headers['content-type'] = contentType;
  if (registry.authorization) headers.authorization = registry.authorization;
  const response = await fetch(new URL(path, registry.url), { method, headers, body });
  if (response.status !== expected) {
    throw new Error(`${method} ${path} answered ${response.status}: ${await response.text()}`);
  }
  await response.arrayBuffer();
  return response;
}

/** `sha256:<hex>` of `data`. */
export function sha256(data: Buffer): string {
  return `sha256:${createHash('sha256').update(data).digest('hex')}`;
}

/** A layer's tar: gunzipped when it starts with gzip's magic bytes. */
function uncompressed(layer: Buffer): Buffer {
  return layer[0] === 0x1f && layer[1] === 0x8b ? gunzipSync(layer) : layer;
}

function basic(user: string, password: string): string {
  return `Basic ${Buffer.from(`${user}:${password}`).toString('base64')}`;
}
