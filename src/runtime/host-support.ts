import { execFile } from 'node:child_process';
import { accessSync, constants, readdirSync } from 'node:fs';
import { delimiter, join } from 'node:path';
import { promisify } from 'node:util';
import type { HostSupport } from './driver.js';

const run = promisify(execFile);

/** The host programs the bwrap driver runs, and the Debian packages that ship them. */
export const HOST_PROGRAMS = {
  bwrap: 'bubblewrap',
  setpriv: 'util-linux',
  nsenter: 'util-linux',
  mkfifo: 'coreutils',
} as const;

/** A host program's name. */
export type HostProgram = keyof typeof HOST_PROGRAMS;

/** Absolute paths of the host programs; absent ones are undefined. */
export type HostPrograms = Readonly<Record<HostProgram, string | undefined>>;

// Searched after PATH: fedgate may run with a trimmed PATH, and these are where Debian puts them.
const SYSTEM_DIRS = ['/usr/bin', '/bin', '/usr/sbin', '/sbin'];

/** Finds `name` on PATH or in the system directories. */
export function findExecutable(name: string, path = process.env.PATH ?? ''): string | undefined {
  const dirs = [...path.split(delimiter).filter(Boolean), ...SYSTEM_DIRS];
  return dirs.map((dir) => join(dir, name)).find(isExecutable);
}

/** Locates every host program; a path given that is not executable counts as missing. */
export function locatePrograms(given: Partial<HostPrograms> = {}): HostPrograms {
  const locate = (name: HostProgram) => {
    const path = given[name] ?? findExecutable(name);
    return path !== undefined && isExecutable(path) ? path : undefined;
  };
  const names = Object.keys(HOST_PROGRAMS) as HostProgram[];
  return Object.fromEntries(names.map((name) => [name, locate(name)])) as HostPrograms;
}

/**
 * The subdirectories of the host's `/proc/sys` a container sees read-only. `crypto` is never
 * among them: the container's comes from its FIPS setting.
 */
export function hostProcSys(): string[] {
  return readdirSync('/proc/sys').filter((name) => name !== 'crypto');
}

/**
 * Runs a command in a probe container over the host's own root (read-only) and answers what it
 * printed; with `enter`, runs that through `enterCommand` in the running container instead.
 */
export type Probe = (options: {
  readonly command: readonly string[];
  readonly user?: string;
  readonly enter?: readonly string[];
}) => Promise<string>;

/** Probes what this host supports, running real sandboxes. */
export async function probeHost(programs: HostPrograms, probe: Probe): Promise<HostSupport> {
  const missing = missingPackages(programs);
  const problems = missing.map((pkg) => `the Debian package '${pkg}' is not installed`);
  const bwrap = programs.bwrap;
  if (!bwrap) return { supported: false, runtime: null, ...noneWorks, missing, problems };

  const runtime = { name: 'bwrap', path: bwrap, version: await bwrapVersion(bwrap) };
  const check = (what: string, expected: string, attempt: () => Promise<string>) =>
    works(problems, what, expected, attempt);

  // The namespaces first and alone, so a failure of the driver's mounts can be told apart.
  const namespaces = await check('namespaces', '2 fedgate-probe\n', () => namespaceProbe(bwrap));
  const fipsFile = await check('the FIPS file', '1\n', () => probe({ command: READ_FIPS }));
  const userSwitching = await check('user switching', '65534\n', () =>
    probe({ command: ['id', '-u'], user: '65534:65534' }),
  );
  const exec = await check('entering a container', '1\n', () =>
    probe({ command: ['sleep', '30'], enter: READ_FIPS }),
  );

  const supported = namespaces && fipsFile;
  return { supported, runtime, namespaces, fipsFile, userSwitching, exec, missing, problems };
}

const READ_FIPS = ['cat', '/proc/sys/crypto/fips_enabled'];

const noneWorks = { namespaces: false, fipsFile: false, userSwitching: false, exec: false };

function missingPackages(programs: HostPrograms): string[] {
  const names = Object.keys(HOST_PROGRAMS) as HostProgram[];
  const packages = names.filter((name) => !programs[name]).map((name) => HOST_PROGRAMS[name]);
  return [...new Set(packages)];
}

async function bwrapVersion(bwrap: string): Promise<string> {
  const { stdout } = await run(bwrap, ['--version']).catch(() => ({ stdout: '' }));
  // "bubblewrap 0.8.0"
  return stdout.trim().split(' ').pop() ?? '';
}

/** A shell in new pid, UTS and IPC namespaces prints its pid (2, under bwrap's init), hostname. */
async function namespaceProbe(bwrap: string): Promise<string> {
  const { stdout } = await run(bwrap, [
    ...['--ro-bind', '/', '/', '--proc', '/proc', '--dev', '/dev'],
    ...['--unshare-pid', '--unshare-uts', '--unshare-ipc', '--hostname', 'fedgate-probe'],
    ...['--die-with-parent', '--', 'sh', '-c', 'echo "$$ $(cat /proc/sys/kernel/hostname)"'],
  ]);
  return stdout;
}

/** Whether `attempt` answers `expected`; records the problem when it does not. */
async function works(
  problems: string[],
  what: string,
  expected: string,
  attempt: () => Promise<string>,
): Promise<boolean> {
  try {
    const actual = await attempt();
    if (actual === expected) return true;
    problems.push(
      `${what} does not work: expected ${JSON.stringify(expected)}, got ${JSON.stringify(actual)}`,
    );
  } catch (err) {
    problems.push(`${what} does not work: ${err instanceof Error ? err.message : String(err)}`);
  }
  return false;
}

function isExecutable(path: string): boolean {
  try {
    accessSync(path, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}
