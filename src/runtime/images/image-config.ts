import { ImagePullError } from './errors.js';
import { parseJson } from './manifest.js';

/**
 * The OCI image configuration (`application/vnd.oci.image.config.v1+json`, and Docker's
 * `application/vnd.docker.container.image.v1+json`, which has the same fields), with the
 * spec's member names. Missing lists read as empty and missing strings as `''`.
 */
export interface ImageConfig {
  readonly architecture: string;
  readonly os: string;
  readonly variant?: string;
  readonly created?: string;
  readonly config: ContainerConfig;
  readonly rootfs: { readonly type: string; readonly diff_ids: readonly string[] };
}

/** The execution defaults an image gives its containers. */
export interface ContainerConfig {
  /** `user`, `uid`, `user:group` or `uid:gid`; `''` is root. */
  readonly User: string;
  /** `NAME=value` entries, in order. */
  readonly Env: readonly string[];
  readonly Entrypoint: readonly string[];
  readonly Cmd: readonly string[];
  /** `''` means `/`. */
  readonly WorkingDir: string;
  /** `80/tcp`, `53/udp`, … */
  readonly ExposedPorts: readonly string[];
  readonly Volumes: readonly string[];
  readonly Labels: Readonly<Record<string, string>>;
  readonly StopSignal?: string;
}

/**
 * Parses an image config blob.
 *
 * @throws ImagePullError `InvalidImage` when it is not JSON or a member has the wrong type.
 */
export function parseImageConfig(body: Buffer): ImageConfig {
  const json = parseJson(body, 'image config');
  const config = objectOr(json.config, 'config');
  const rootfs = objectOr(json.rootfs, 'rootfs');
  const variant = optionalString(json.variant, 'variant');
  const created = optionalString(json.created, 'created');

  return {
    architecture: stringOr(json.architecture, 'architecture'),
    os: stringOr(json.os, 'os'),
    ...(variant ? { variant } : {}),
    ...(created ? { created } : {}),
    config: containerConfig(config),
    rootfs: {
      type: stringOr(rootfs.type, 'rootfs.type'),
      diff_ids: stringList(rootfs.diff_ids, 'rootfs.diff_ids'),
    },
  };
}

function containerConfig(config: Record<string, unknown>): ContainerConfig {
  const stopSignal = optionalString(config.StopSignal, 'config.StopSignal');
  return {
    User: stringOr(config.User, 'config.User'),
    Env: stringList(config.Env, 'config.Env'),
    Entrypoint: stringList(config.Entrypoint, 'config.Entrypoint'),
    Cmd: stringList(config.Cmd, 'config.Cmd'),
    WorkingDir: stringOr(config.WorkingDir, 'config.WorkingDir'),
    ExposedPorts: Object.keys(objectOr(config.ExposedPorts, 'config.ExposedPorts')),
    Volumes: Object.keys(objectOr(config.Volumes, 'config.Volumes')),
    Labels: stringRecord(config.Labels, 'config.Labels'),
    ...(stopSignal ? { StopSignal: stopSignal } : {}),
  };
}

/** What a container definition may override, with ECS's member names. */
export interface ProcessOverrides {
  readonly entryPoint?: readonly string[];
  readonly command?: readonly string[];
  /** ECS `environment`, after `environmentFiles` and `secrets` are merged in by the caller. */
  readonly environment?: Readonly<Record<string, string>>;
  readonly workingDirectory?: string;
  readonly user?: string;
}

/** The process a container starts: what the driver hands to the sandbox. */
export interface ContainerProcess {
  /** The command line; empty means Docker's "No command specified". */
  readonly args: readonly string[];
  /** `NAME=value` entries: the image's, then the overrides, one entry per name. */
  readonly env: readonly string[];
  readonly cwd: string;
  /** Still to be resolved against the rootfs by `resolveUser` in `../container-user.ts`. */
  readonly user: string;
}

/** The PATH Docker and containerd give a Linux container whose image sets none. */
export const DEFAULT_PATH = '/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin';

/**
 * Combines an image's defaults with a container definition's overrides the way Docker does
 * for ECS: `entryPoint` replaces the image's Entrypoint and then drops its Cmd; `command`
 * replaces Cmd; environment entries replace the image's by name; PATH defaults to
 * {@link DEFAULT_PATH}.
 *
 * @example
 * containerProcess(busybox.config, { command: ['echo', 'hi'] }).args; // ['echo', 'hi']
 */
export function containerProcess(
  image: ContainerConfig,
  overrides: ProcessOverrides = {},
): ContainerProcess {
  const entrypoint = overrides.entryPoint ?? image.Entrypoint;
  const cmd = overrides.command ?? (overrides.entryPoint ? [] : image.Cmd);

  return {
    args: [...entrypoint, ...cmd],
    env: mergeEnv(image.Env, overrides.environment ?? {}),
    cwd: overrides.workingDirectory || image.WorkingDir || '/',
    user: overrides.user ?? image.User,
  };
}

function mergeEnv(image: readonly string[], overrides: Readonly<Record<string, string>>): string[] {
  const merged = new Map<string, string>();
  for (const entry of image) {
    const eq = entry.indexOf('=');
    // Docker passes an entry without `=` through as a name with an empty value.
    merged.set(eq === -1 ? entry : entry.slice(0, eq), eq === -1 ? '' : entry.slice(eq + 1));
  }
  for (const [name, value] of Object.entries(overrides)) merged.set(name, value);
  if (!merged.has('PATH')) merged.set('PATH', DEFAULT_PATH);
  return [...merged].map(([name, value]) => `${name}=${value}`);
}

function stringOr(value: unknown, field: string): string {
  if (value === undefined || value === null) return '';
  if (typeof value !== 'string') throw invalid(field);
  return value;
}

function optionalString(value: unknown, field: string): string | undefined {
  return stringOr(value, field) || undefined;
}

function stringList(value: unknown, field: string): string[] {
  if (value === undefined || value === null) return [];
  if (!Array.isArray(value) || !value.every((item) => typeof item === 'string')) {
    throw invalid(field);
  }
  return value as string[];
}

function objectOr(value: unknown, field: string): Record<string, unknown> {
  if (value === undefined || value === null) return {};
  if (typeof value !== 'object' || Array.isArray(value)) throw invalid(field);
  return value as Record<string, unknown>;
}

function stringRecord(value: unknown, field: string): Record<string, string> {
  const record = objectOr(value, field);
  if (!Object.values(record).every((item) => typeof item === 'string')) throw invalid(field);
  return record as Record<string, string>;
}

function invalid(field: string): ImagePullError {
  return new ImagePullError(
    'InvalidImage',
    `failed to parse image config: ${field} has the wrong type`,
  );
}
