import { readFileSync } from 'node:fs';
import type { BasicCredentials } from './auth.js';

/** Docker Hub's legacy key in Docker config files, and the host its API is really served from. */
const DOCKER_HUB_KEYS = ['https://index.docker.io/v1/', 'index.docker.io', 'docker.io'];
const DOCKER_HUB_HOST = 'registry-1.docker.io';

/**
 * Reads registry credentials from a Docker-style `config.json` (`{"auths": {"<host>":
 * {"auth": base64("user:password")}}}`, or `username` and `password` members), the format
 * `docker login`, `skopeo login` and `podman login` write. Answers credentials by registry host.
 */
export function readRegistryAuthFile(path: string): Record<string, BasicCredentials> {
  let parsed: unknown;
  try {
    parsed = JSON.parse(readFileSync(path, 'utf8'));
  } catch (err) {
    throw new Error(`cannot read registry credentials from ${path}: ${(err as Error).message}`);
  }

  const auths = (parsed as { auths?: unknown }).auths;
  if (typeof auths !== 'object' || auths === null) {
    throw new Error(`${path} has no "auths" object: expected a Docker config.json`);
  }
  const table: Record<string, BasicCredentials> = {};
  for (const [key, entry] of Object.entries(auths)) {
    const credentials = entryCredentials(entry);
    if (credentials) table[registryHost(key)] = credentials;
  }
  return table;
}

function entryCredentials(entry: unknown): BasicCredentials | undefined {
  if (typeof entry !== 'object' || entry === null) return undefined;
  const { auth, username, password } = entry as Record<string, unknown>;
  if (typeof username === 'string' && typeof password === 'string') return { username, password };
  if (typeof auth !== 'string') return undefined;

  const decoded = Buffer.from(auth, 'base64').toString('utf8');
  const colon = decoded.indexOf(':');
  if (colon < 0) return undefined;
  return { username: decoded.slice(0, colon), password: decoded.slice(colon + 1) };
}

/** `https://host:port/v2/` and similar keys become `host:port`. */
function registryHost(key: string): string {
  if (DOCKER_HUB_KEYS.includes(key)) return DOCKER_HUB_HOST;
  return key.replace(/^https?:\/\//, '').replace(/\/.*$/, '');
}
