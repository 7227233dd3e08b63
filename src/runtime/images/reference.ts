import { InvalidReferenceError } from './errors.js';

/**
 * An image reference, parsed the way Docker and ECS read `image` in a container definition.
 *
 * @example
 * parseImageReference('busybox');
 * // { registry: 'registry-1.docker.io', repository: 'library/busybox', tag: 'latest',
 * //   reference: 'latest', canonical: 'docker.io/library/busybox:latest' }
 */
export interface ImageReference {
  /** Host and optional port to contact: `registry-1.docker.io` for Docker Hub. */
  readonly registry: string;
  /** The repository path inside the registry, e.g. `library/busybox` or `team/app`. */
  readonly repository: string;
  /** The tag, `latest` when neither a tag nor a digest was given. */
  readonly tag?: string;
  /** The digest, e.g. `sha256:…`; when present it wins over the tag, as in Docker. */
  readonly digest?: string;
  /** What to ask the registry's manifest endpoint for: the digest if any, else the tag. */
  readonly reference: string;
  /** The fully qualified text, `docker.io/library/busybox:latest`, for messages and records. */
  readonly canonical: string;
}

/** The digest algorithms fedgate can verify, with the length of their hex encoding. */
const DIGEST_HEX_LENGTH: Readonly<Record<string, number>> = { sha256: 64, sha512: 128 };

// The grammar of github.com/distribution/reference, which Docker and containerd share.
const DOMAIN_COMPONENT = '(?:[a-zA-Z0-9]|[a-zA-Z0-9][a-zA-Z0-9-]*[a-zA-Z0-9])';
const DOMAIN = new RegExp(
  `^(?:${DOMAIN_COMPONENT}(?:\\.${DOMAIN_COMPONENT})*|\\[[a-fA-F0-9:]+\\])(?::[0-9]+)?$`,
);
const PATH_COMPONENT = /^[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*$/;
const TAG = /^[\w][\w.-]{0,127}$/;
const DIGEST = /^[a-z0-9]+(?:[.+_-][a-z0-9]+)*:[a-zA-Z0-9=_-]+$/;
const NAME_MAX_LENGTH = 255;

const DOCKER_HUB = 'docker.io';
const DOCKER_HUB_API = 'registry-1.docker.io';

/**
 * Parses `ref` (`busybox`, `busybox:1.36`, `127.0.0.1:5000/team/app:tag`,
 * `registry.example.com/app@sha256:<hex>`), filling in Docker Hub and `latest`.
 *
 * @throws InvalidReferenceError when `ref` breaks the reference grammar.
 */
export function parseImageReference(ref: string): ImageReference {
  const { name, digest } = splitDigest(ref);
  const { path, tag } = splitTag(name);
  const { domain, repository } = splitDomain(path);

  checkDomain(domain);
  checkRepository(repository);
  if (path.length > NAME_MAX_LENGTH) {
    throw new InvalidReferenceError(`repository name must not be more than 255 characters`);
  }

  const effectiveTag = tag ?? (digest ? undefined : 'latest');
  const canonical =
    `${domain}/${repository}` +
    (effectiveTag ? `:${effectiveTag}` : '') +
    (digest ? `@${digest}` : '');
  return {
    registry: domain === DOCKER_HUB ? DOCKER_HUB_API : domain,
    repository,
    ...(effectiveTag ? { tag: effectiveTag } : {}),
    ...(digest ? { digest } : {}),
    reference: digest ?? effectiveTag ?? 'latest',
    canonical,
  };
}

/**
 * Says what is wrong with `digest`, or nothing when it is `sha256:` or `sha512:` followed by
 * lowercase hex of the right length. Digests from remote manifests pass through here before
 * they name a file in the cache, so a digest can never carry a path.
 */
export function digestProblem(digest: string): string | undefined {
  if (!DIGEST.test(digest)) return 'invalid checksum digest format';

  const [algorithm = '', hex = ''] = digest.split(':');
  const length = DIGEST_HEX_LENGTH[algorithm];
  if (length === undefined) return 'unsupported digest algorithm';
  if (hex.length !== length) return 'invalid checksum digest length';
  if (!/^[a-f0-9]+$/.test(hex)) return 'invalid checksum digest format';
  return undefined;
}

function splitDigest(ref: string): { name: string; digest?: string } {
  const at = ref.indexOf('@');
  if (at === -1) return { name: ref };
  const digest = ref.slice(at + 1);
  const problem = digestProblem(digest);
  if (problem) throw new InvalidReferenceError(problem);
  return { name: ref.slice(0, at), digest };
}

function splitTag(name: string): { path: string; tag?: string } {
  const colon = name.lastIndexOf(':');

  // A colon before the last slash belongs to the registry's port, not to a tag.
  if (colon === -1 || colon < name.lastIndexOf('/')) return { path: name };

  const tag = name.slice(colon + 1);
  if (!TAG.test(tag)) throw new InvalidReferenceError();
  return { path: name.slice(0, colon), tag };
}

function splitDomain(path: string): { domain: string; repository: string } {
  const slash = path.indexOf('/');
  const first = slash === -1 ? '' : path.slice(0, slash);

  // Docker's rule: the first component names a registry only if it looks like a host.
  const isHost =
    /[.:]/.test(first) || first === 'localhost' || (first !== '' && first !== first.toLowerCase());
  if (!isHost) {
    const repository = slash === -1 ? `library/${path}` : path;
    return { domain: DOCKER_HUB, repository };
  }

  const domain = first === 'index.docker.io' ? DOCKER_HUB : first;
  const rest = path.slice(slash + 1);
  const repository = domain === DOCKER_HUB && !rest.includes('/') ? `library/${rest}` : rest;
  return { domain, repository };
}

function checkDomain(domain: string): void {
  if (!DOMAIN.test(domain)) throw new InvalidReferenceError();
}

function checkRepository(repository: string): void {
  const components = repository.split('/');
  if (components.every((part) => PATH_COMPONENT.test(part.toLowerCase()))) {
    if (repository !== repository.toLowerCase()) {
      throw new InvalidReferenceError(`repository name (${repository}) must be lowercase`);
    }
    return;
  }
  throw new InvalidReferenceError();
}
