import { createHash } from 'node:crypto';
import type { BasicCredentials } from './auth.js';
import { ImagePullError } from './errors.js';
import {
  MANIFEST_ACCEPT,
  parseManifest,
  type Descriptor,
  type ImageIndex,
  type ImageManifest,
} from './manifest.js';
import type { ImageReference } from './reference.js';
import type { RegistryResponse, RegistryTransport } from './transport.js';

/** A manifest or index as fetched, with the digest its bytes hash to. */
export interface FetchedManifest {
  readonly digest: string;
  readonly body: Buffer;
  readonly manifest: ImageManifest | ImageIndex;
}

/** containerd refuses manifests over 4 MiB; so does fedgate, so a registry cannot flood memory. */
const MAX_MANIFEST_BYTES = 4 * 1024 * 1024;

/** The Docker Registry HTTP API V2 (OCI distribution spec) calls a pull needs. */
export class RegistryClient {
  constructor(private readonly transport: RegistryTransport) {}

  /**
   * GETs the manifest or index `reference` (a tag or a digest) of `ref.repository`.
   *
   * @throws ImagePullError `NotFound`, `Unauthorized`, `DigestMismatch`, `UnsupportedMediaType`, …
   */
  async manifest(
    ref: ImageReference,
    reference: string,
    credentials?: BasicCredentials,
  ): Promise<FetchedManifest> {
    const shown = reference.includes(':') ? `${nameOf(ref)}@${reference}` : ref.canonical;
    const context = `failed to resolve ref ${shown}`;
    const response = await this.transport.get({
      registry: ref.registry,
      path: `/v2/${ref.repository}/manifests/${reference}`,
      scope: scopeOf(ref),
      accept: MANIFEST_ACCEPT,
      context,
      ...(credentials ? { credentials } : {}),
    });
    await expectOk(response, context, `${shown}: not found`);

    const body = await response.readAll(MAX_MANIFEST_BYTES);
    const digest = verifyManifestDigest(body, reference, response.headers, context);
    try {
      return { digest, body, manifest: parseManifest(body, response.headers.get('content-type')) };
    } catch (err) {
      if (!(err instanceof ImagePullError)) throw err;
      throw new ImagePullError(err.kind, `${context}: ${err.message}`);
    }
  }

  /** Opens the blob `descriptor.digest`; the caller streams and verifies it. */
  async blob(
    ref: ImageReference,
    descriptor: Descriptor,
    credentials?: BasicCredentials,
  ): Promise<RegistryResponse> {
    const path = `/v2/${ref.repository}/blobs/${descriptor.digest}`;
    const context = 'failed to copy: httpReadSeeker: failed open';
    const response = await this.transport.get({
      registry: ref.registry,
      path,
      scope: scopeOf(ref),
      context,
      ...(credentials ? { credentials } : {}),
    });
    const url = `${this.transport.origin(ref.registry)}${path}`;
    await expectOk(response, context, `content at ${url} not found: not found`);
    return response;
  }
}

/** The token scope of a pull: read access to the repository. */
function scopeOf(ref: ImageReference): string {
  return `repository:${ref.repository}:pull`;
}

function nameOf(ref: ImageReference): string {
  return ref.canonical.replace(/[:@][^/]*$/, '');
}

async function expectOk(response: RegistryResponse, context: string, notFound: string) {
  if (response.status >= 200 && response.status < 300) return;

  const server = await serverMessage(response);
  if (response.status === 404) throw new ImagePullError('NotFound', `${context}: ${notFound}`);
  if (response.status === 401 || response.status === 403) {
    throw new ImagePullError(
      'Unauthorized',
      `${context}: pull access denied, repository does not exist or may require authorization` +
        (server ? `: server message: ${server}` : ''),
    );
  }
  throw new ImagePullError(
    'RegistryError',
    `${context}: unexpected status from GET request to ${response.url}: ` +
      `${response.status} ${response.statusText}` +
      (server ? ` - Server message: ${server}` : ''),
  );
}

/** The first entry of a registry's `{"errors":[{"code","message"}]}` body, if it sent one. */
async function serverMessage(response: RegistryResponse): Promise<string | undefined> {
  try {
    const body = JSON.parse((await response.readAll(64 * 1024)).toString('utf8')) as {
      errors?: { code?: unknown; message?: unknown }[];
    };
    const first = body.errors?.[0];
    if (!first || typeof first.code !== 'string') return undefined;
    return `${first.code.toLowerCase()}: ${String(first.message ?? '')}`;
  } catch {
    return undefined;
  }
}

/**
 * The digest of a manifest's bytes. Fetched by digest, the bytes must hash to it; fetched by
 * tag, they must hash to the `Docker-Content-Digest` the registry announced, when it did.
 */
function verifyManifestDigest(
  body: Buffer,
  reference: string,
  headers: Headers,
  context: string,
): string {
  const expected = reference.includes(':') ? reference : headers.get('docker-content-digest');
  const algorithm = expected?.startsWith('sha512:') ? 'sha512' : 'sha256';
  const actual = `${algorithm}:${createHash(algorithm).update(body).digest('hex')}`;

  if (expected && expected.startsWith(`${algorithm}:`) && expected !== actual) {
    throw new ImagePullError(
      'DigestMismatch',
      `${context}: unexpected manifest digest ${actual}, expected ${expected}: failed precondition`,
    );
  }
  return actual;
}
